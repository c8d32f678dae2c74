import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Capability } from "../../src/protocol/constants.js";
import {
  decodeClientHello,
  decodeHandshakeV10,
  encodeHandshakeResponse,
  encodeHandshakeV10,
} from "../../src/protocol/handshake.js";
import {
  formatNativeHash,
  parseNativeHash,
  scrambleFromStage1,
  stage1FromPassword,
  verifyScramble,
} from "../../src/protocol/native-password.js";

const sha1 = (b: Buffer) => createHash("sha1").update(b).digest();

/** What a client computes, written out from the spec independently of src/. */
function clientScramble(password: string, seed: Buffer): Buffer {
  const s1 = sha1(Buffer.from(password));
  const s3 = createHash("sha1").update(seed).update(sha1(s1)).digest();
  return Buffer.from(s1.map((b, i) => b ^ s3[i]!));
}

describe("mysql_native_password", () => {
  it("verifies a client's scramble against the stored hash and recovers SHA1(password)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        (pw, seedArr) => {
          const seed = Buffer.from(seedArr);
          const stage2 = sha1(sha1(Buffer.from(pw)));
          const recovered = verifyScramble(clientScramble(pw, seed), seed, stage2);
          expect(recovered?.toString("hex")).toBe(sha1(Buffer.from(pw)).toString("hex"));
          expect(scrambleFromStage1(recovered!, seed).equals(clientScramble(pw, seed))).toBe(true);
          expect(verifyScramble(clientScramble(`${pw}x`, seed), seed, stage2)).toBeUndefined();
        },
      ),
    );
  });

  it("parses and formats the *hex hash as MariaDB's PASSWORD() prints it", () => {
    // PASSWORD('app-pass') on MariaDB 10.11
    const hash = formatNativeHash(sha1(stage1FromPassword("secret")));
    expect(hash).toMatch(/^\*[0-9A-F]{40}$/);
    expect(parseNativeHash(hash)?.equals(sha1(sha1(Buffer.from("secret"))))).toBe(true);
    expect(parseNativeHash("*1234")).toBeUndefined();
    expect(parseNativeHash("plain")).toBeUndefined();
  });
});

describe("handshake packets", () => {
  it("HandshakeV10 round-trips", () => {
    const h = {
      serverVersion: "5.5.5-10.11.19-MariaDB-sluice",
      connectionId: 4242,
      seed: Buffer.from("abcdefghijklmnopqrst"),
      capabilities:
        (Capability.Protocol41 |
          Capability.PluginAuth |
          Capability.DeprecateEof |
          Capability.SecureConnection) >>>
        0,
      collation: 45,
      status: 2,
      authPlugin: "mysql_native_password",
    };
    expect(decodeHandshakeV10(encodeHandshakeV10(h))).toEqual(h);
  });

  it("HandshakeResponse41 round-trips, including attributes and database", () => {
    const caps =
      Capability.Protocol41 |
      Capability.SecureConnection |
      Capability.PluginAuth |
      Capability.ConnectWithDb |
      Capability.ConnectAttrs |
      Capability.PluginAuthLenencClientData;
    const attributes = new Map([
      ["_client_name", "test"],
      ["program", "x"],
    ]);
    const bytes = encodeHandshakeResponse({
      capabilities: caps,
      maxPacketSize: 1 << 24,
      collation: 45,
      user: "app",
      authResponse: Buffer.alloc(20, 7),
      database: "sluice_test",
      authPlugin: "caching_sha2_password",
      attributes,
    });
    const hello = decodeClientHello(bytes);
    expect(hello.kind).toBe("response");
    if (hello.kind !== "response") return;
    expect(hello.response).toMatchObject({
      user: "app",
      database: "sluice_test",
      authPlugin: "caching_sha2_password",
    });
    expect(hello.response.authResponse.equals(Buffer.alloc(20, 7))).toBe(true);
    expect([...hello.response.attributes]).toEqual([...attributes]);
  });

  it("recognises the 32-byte SSLRequest and rejects truncated responses with an error", () => {
    const ssl = Buffer.alloc(32);
    ssl.writeUInt32LE(Capability.Protocol41 | Capability.Ssl, 0);
    expect(decodeClientHello(ssl).kind).toBe("ssl-request");
    const truncated = Buffer.alloc(40);
    truncated.writeUInt32LE(Capability.Protocol41 | Capability.SecureConnection, 0);
    truncated.fill(0x61, 32); // user without NUL terminator
    expect(() => decodeClientHello(truncated)).toThrow(/NUL/);
  });
});
