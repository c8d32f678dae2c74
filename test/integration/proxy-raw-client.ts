import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { Framer } from "../../src/protocol/framer.js";
import { frameBytes, u32 } from "../protocol/wire-builder.js";

/**
 * A deliberately minimal client speaking raw packets, for what mysql2 cannot be made to do:
 * start with caching_sha2_password, send malformed or out-of-sequence packets. Builds bytes
 * with the test-only wire builder, not Sluice's encoder.
 */
export class RawClient {
  private readonly framer = new Framer();
  private readonly frames: { seq: number; payload: Buffer }[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (c: Buffer) => {
      this.framer.push(c);
      for (let f = this.framer.next(); f !== undefined; f = this.framer.next()) {
        this.frames.push({ seq: f.seq, payload: Buffer.from(f.payload) });
      }
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static open(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  /** Next packet, or undefined when the server closed the connection. */
  async read(timeoutMs = 5000): Promise<{ seq: number; payload: Buffer } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0 && !this.closed) {
      if (Date.now() > deadline) throw new Error("RawClient.read timed out");
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.frames.shift();
  }

  send(seq: number, payload: Uint8Array | number[]): void {
    this.socket.write(Buffer.from(frameBytes(seq, Uint8Array.from(payload))));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Seed bytes from a HandshakeV10 payload (parts 1 and 2), parsed by hand. */
export function seedOf(greeting: Buffer): Buffer {
  const versionEnd = greeting.indexOf(0, 1);
  const p1 = greeting.subarray(versionEnd + 5, versionEnd + 13);
  const afterCaps = versionEnd + 13 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
  const p2 = greeting.subarray(afterCaps, afterCaps + 12);
  return Buffer.concat([p1, p2]);
}

export function nativeScramble(password: string, seed: Buffer): Buffer {
  const sha = (...b: Buffer[]) => {
    const h = createHash("sha1");
    for (const x of b) h.update(x);
    return h.digest();
  };
  const s1 = sha(Buffer.from(password));
  const mix = sha(seed, sha(s1));
  return Buffer.from(s1.map((b, i) => b ^ mix[i]!));
}

/** HandshakeResponse41 with PLUGIN_AUTH | SECURE_CONNECTION | PROTOCOL_41 | CONNECT_WITH_DB | DEPRECATE_EOF. */
export function handshakeResponse(
  user: string,
  auth: Buffer,
  plugin: string,
  database?: string,
  deprecateEof = true,
): number[] {
  const caps =
    0x200 |
    0x8000 |
    0x80000 |
    0x2000 |
    0x20000 |
    (deprecateEof ? 1 << 24 : 0) |
    (database !== undefined ? 0x8 : 0);
  return [
    ...u32(caps),
    ...u32(1 << 24),
    45,
    ...new Array(23).fill(0),
    ...Buffer.from(`${user}\0`),
    auth.length,
    ...auth,
    ...(database !== undefined ? [...Buffer.from(`${database}\0`)] : []),
    ...Buffer.from(`${plugin}\0`),
  ];
}

/** Logs a RawClient in with mysql_native_password; returns the client and Sluice's connection id. */
export async function rawLogin(
  host: string,
  port: number,
  user: string,
  password: string,
  database?: string,
  deprecateEof = true,
): Promise<{ client: RawClient; id: number }> {
  const client = await RawClient.open(host, port);
  const greeting = await client.read();
  if (greeting === undefined) throw new Error("no greeting");
  const versionEnd = greeting.payload.indexOf(0, 1);
  const id = greeting.payload.readUInt32LE(versionEnd + 1);
  client.send(
    1,
    handshakeResponse(
      user,
      nativeScramble(password, seedOf(greeting.payload)),
      "mysql_native_password",
      database,
      deprecateEof,
    ),
  );
  const ok = await client.read();
  if (ok?.payload[0] !== 0) throw new Error(`login failed: ${ok?.payload.toString("latin1")}`);
  return { client, id };
}
