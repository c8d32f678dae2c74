/**
 * FNV-1a 64 over the UTF-8 bytes of a string, computed with two 32-bit halves (no BigInt on the hot
 * path). Offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3, so
 * h * prime mod 2^64 = h * 0x1b3 + (lo << 40) mod 2^64; the low half times 0x1b3 is below 2^41 and
 * exact in a double. Returns 16 lower-case hex digits.
 */
export function fnv1a64(s: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // inlined step (the hot path: digests are almost always ASCII)
      const x = (lo ^ c) >>> 0;
      const t = x * 0x1b3;
      hi = (Math.imul(hi, 0x1b3) + ((t / 4294967296) | 0) + (x << 8)) >>> 0;
      lo = t >>> 0;
      continue;
    }
    for (const byte of utf8(s, i, c)) {
      const x = (lo ^ byte) >>> 0;
      const t = x * 0x1b3;
      hi = (Math.imul(hi, 0x1b3) + ((t / 4294967296) | 0) + (x << 8)) >>> 0;
      lo = t >>> 0;
    }
    if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) i++;
  }
  return (
    HEX[hi >>> 24]! +
    HEX[(hi >>> 16) & 255]! +
    HEX[(hi >>> 8) & 255]! +
    HEX[hi & 255]! +
    HEX[lo >>> 24]! +
    HEX[(lo >>> 16) & 255]! +
    HEX[(lo >>> 8) & 255]! +
    HEX[lo & 255]!
  );
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function isLow(d: number): boolean {
  return d >= 0xdc00 && d <= 0xdfff;
}

/** UTF-8 bytes of the code point at i (c = its first UTF-16 unit, ≥ 0x80); surrogate pairs combined. */
function utf8(s: string, i: number, c: number): number[] {
  if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
    c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
  }
  if (c < 0x800) return [0xc0 | (c >> 6), 0x80 | (c & 0x3f)];
  if (c < 0x10000) return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
  return [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
}
