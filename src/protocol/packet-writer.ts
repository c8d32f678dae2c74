import { MAX_FRAME_PAYLOAD } from "./constants.js";

/**
 * Frames a payload: 3-byte length + sequence id, split into 16 MiB frames when needed; a payload
 * whose length is an exact multiple of 0xFFFFFF ends with an empty frame (spec: "Sending More Than 16Mb").
 * Returns the wire bytes and the sequence id the next packet of the exchange must use.
 */
export function encodePacket(seq: number, payload: Buffer): { bytes: Buffer; nextSeq: number } {
  if (payload.length < MAX_FRAME_PAYLOAD) {
    const bytes = Buffer.allocUnsafe(4 + payload.length);
    bytes.writeUIntLE(payload.length, 0, 3);
    bytes[3] = seq & 0xff;
    payload.copy(bytes, 4);
    return { bytes, nextSeq: (seq + 1) & 0xff };
  }
  const frames: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const length = Math.min(MAX_FRAME_PAYLOAD, payload.length - offset);
    const header = Buffer.allocUnsafe(4);
    header.writeUIntLE(length, 0, 3);
    header[3] = seq & 0xff;
    seq = (seq + 1) & 0xff;
    frames.push(header, payload.subarray(offset, offset + length));
    offset += length;
    if (length < MAX_FRAME_PAYLOAD) break;
  }
  return { bytes: Buffer.concat(frames), nextSeq: seq };
}

/** Encodes several payloads as consecutive packets starting at `seq`. */
export function encodePackets(seq: number, payloads: readonly Buffer[]): { bytes: Buffer; nextSeq: number } {
  const parts: Buffer[] = [];
  for (const p of payloads) {
    const { bytes, nextSeq } = encodePacket(seq, p);
    parts.push(bytes);
    seq = nextSeq;
  }
  return { bytes: Buffer.concat(parts), nextSeq: seq };
}
