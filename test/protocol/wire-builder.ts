/**
 * Test-only byte builder, written independently of src/protocol's encoders so that codec tests
 * compare the production code against a second reading of the spec, not against itself.
 */
export function frameBytes(seq: number, payload: Uint8Array): number[] {
  const n = payload.length;
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, seq & 0xff, ...payload];
}

/** Splits a logical payload into frames exactly as the spec describes (0xFFFFFF-sized chunks). */
export function packetBytes(seq: number, payload: Uint8Array): { bytes: Uint8Array; nextSeq: number } {
  const max = 0xffffff;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const len = Math.min(max, payload.length - offset);
    const header = new Uint8Array([len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, seq & 0xff]);
    chunks.push(header, payload.subarray(offset, offset + len));
    seq = (seq + 1) & 0xff;
    offset += len;
    if (len < max) break;
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { bytes: out, nextSeq: seq };
}

export function lenenc(v: number): number[] {
  if (v < 251) return [v];
  if (v < 65536) return [0xfc, v & 0xff, v >> 8];
  if (v < 16777216) return [0xfd, v & 0xff, (v >> 8) & 0xff, v >> 16];
  const out = [0xfe];
  let x = BigInt(v);
  for (let i = 0; i < 8; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

export function lenencStr(s: string): number[] {
  const b = [...Buffer.from(s, "utf8")];
  return [...lenenc(b.length), ...b];
}

export function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

export function u32(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

export function okPayload(
  status: number,
  opts: { affected?: number; header?: number; warnings?: number } = {},
): number[] {
  return [opts.header ?? 0x00, ...lenenc(opts.affected ?? 0), 0, ...u16(status), ...u16(opts.warnings ?? 0)];
}

export function eofPayload(status: number, warnings = 0): number[] {
  return [0xfe, ...u16(warnings), ...u16(status)];
}

export function errPayload(errno: number, state: string, message: string): number[] {
  return [0xff, ...u16(errno), 0x23, ...Buffer.from(state, "latin1"), ...Buffer.from(message, "utf8")];
}

export function columnDefPayload(name: string): number[] {
  return [
    ...lenencStr("def"),
    ...lenencStr("db"),
    ...lenencStr("t"),
    ...lenencStr("t"),
    ...lenencStr(name),
    ...lenencStr(name),
    0x0c,
    ...u16(45),
    ...u32(255),
    0xfd,
    ...u16(0),
    0,
    0,
    0,
  ];
}

export function textRowPayload(values: readonly (string | null)[]): number[] {
  return values.flatMap((v) => (v === null ? [0xfb] : lenencStr(v)));
}

/** A whole text result set as payloads, in either EOF mode. */
export function resultSetPayloads(
  columns: readonly string[],
  rows: readonly (readonly (string | null)[])[],
  opts: { deprecateEof: boolean; status: number },
): number[][] {
  const out: number[][] = [lenenc(columns.length)];
  for (const c of columns) out.push(columnDefPayload(c));
  if (!opts.deprecateEof) out.push(eofPayload(opts.status & ~0x08));
  for (const r of rows) out.push(textRowPayload(r));
  out.push(opts.deprecateEof ? okPayload(opts.status, { header: 0xfe }) : eofPayload(opts.status));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}
