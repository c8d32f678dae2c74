import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { scrambleFromStage1, verifyScramble } from "../../src/protocol/native-password.js";
import { CredentialStore } from "../../src/session/credentials.js";

const sha1 = (b: Buffer | string) => createHash("sha1").update(b).digest();

describe("CredentialStore", () => {
  it("knows both tokens for a clear password, only stage2 for a hash until a login teaches it", () => {
    const hash = `*${sha1(sha1("pw")).toString("hex").toUpperCase()}`;
    const store = new CredentialStore([
      { name: "clear", password: "pw" },
      { name: "hashed", passwordHash: hash },
    ]);
    expect(store.get("clear")?.stage1?.equals(sha1("pw"))).toBe(true);
    const hashed = store.get("hashed")!;
    expect(hashed.stage1).toBeUndefined();
    const seed = Buffer.from("0123456789abcdefghij");
    const recovered = verifyScramble(scrambleFromStage1(sha1("pw"), seed), seed, hashed.stage2);
    store.learn("hashed", recovered!);
    expect(store.get("hashed")?.stage1?.equals(sha1("pw"))).toBe(true);
  });

  it("rejects a malformed hash with a message saying what is expected", () => {
    expect(() => new CredentialStore([{ name: "x", passwordHash: "abc" }])).toThrow(
      /'\*' followed by 40 hex digits/,
    );
  });

  it("treats an empty password as 'no password'", () => {
    const store = new CredentialStore([{ name: "nopw", password: "" }]);
    const u = store.get("nopw")!;
    expect(verifyScramble(Buffer.alloc(0), Buffer.alloc(20), u.stage2)).toEqual(Buffer.alloc(0));
    expect(verifyScramble(Buffer.alloc(20, 1), Buffer.alloc(20), u.stage2)).toBeUndefined();
  });
});
