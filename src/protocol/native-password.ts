import { createHash, timingSafeEqual } from "node:crypto";

/**
 * mysql_native_password arithmetic (spec: "Native Authentication").
 *   stage1 = SHA1(password), stage2 = SHA1(stage1) (what the server stores as "*" + hex)
 *   scramble = stage1 XOR SHA1(seed + stage2)
 * so from a client's scramble and the stored stage2, stage1 = scramble XOR SHA1(seed + stage2);
 * it is genuine iff SHA1(stage1) = stage2. That recovered stage1 authenticates Sluice to the
 * backends without the clear password (as MaxScale does).
 */
export function sha1(...parts: Buffer[]): Buffer {
  const h = createHash("sha1");
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Client side: the 20-byte auth response for a password token (stage1) and a 20-byte seed. */
export function scrambleFromStage1(stage1: Buffer, seed: Buffer): Buffer {
  return xor(stage1, sha1(seed, sha1(stage1)));
}

export function stage1FromPassword(password: string): Buffer {
  return sha1(Buffer.from(password, "utf8"));
}

/** Parses "*" + 40 hex digits (the form of mysql.user.authentication_string / PASSWORD()). */
export function parseNativeHash(hash: string): Buffer | undefined {
  if (!/^\*[0-9a-fA-F]{40}$/.test(hash)) return undefined;
  return Buffer.from(hash.slice(1), "hex");
}

export function formatNativeHash(stage2: Buffer): string {
  return `*${stage2.toString("hex").toUpperCase()}`;
}

/**
 * Server side check. Returns stage1 when the scramble proves the password, undefined otherwise.
 * An empty stage2 means "no password": only an empty response is accepted (stage1 is then empty).
 */
export function verifyScramble(scramble: Buffer, seed: Buffer, stage2: Buffer): Buffer | undefined {
  if (stage2.length === 0) return scramble.length === 0 ? Buffer.alloc(0) : undefined;
  if (scramble.length !== 20 || stage2.length !== 20) return undefined;
  const stage1 = xor(scramble, sha1(seed, stage2));
  return timingSafeEqual(sha1(stage1), stage2) ? stage1 : undefined;
}
