import { MAX_FRAME_PAYLOAD, ResponseHeader } from "./constants.js";

/** How far a row scan got: the offset after the last row frame, how many rows, their last seq. */
export interface RowScan {
  readonly end: number;
  readonly rows: number;
  /** sequence id of the last row skipped; -1 when none was */
  readonly lastSeq: number;
}

/**
 * Skips the complete frames from `start` (before `end`) that are whole result-set rows, reading
 * only each frame's header and first payload byte: no Frame, no subarray per row. Stops at the
 * first frame the response tracker must see: an incomplete one, a terminator (0xFE) or an ERR
 * (0xFF), an empty frame (invalid) or a full-length one (a row continuing in the next frame).
 *
 * Only valid while the tracker is in its rows phase outside a continuation: for those frames its
 * step returns the state unchanged (a text row never starts with 0xFF, a binary row starts with
 * 0x00, a row starting with 0xFE has a first value of at least 2^24 bytes: a full-length frame).
 */
export function scanRowFrames(buf: Buffer, start: number, end: number): RowScan {
  let at = start;
  let rows = 0;
  let lastSeq = -1;
  while (end - at >= 4) {
    const length = buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16);
    if (length === 0 || length >= MAX_FRAME_PAYLOAD || end - at < 4 + length) break;
    const header = buf[at + 4];
    if (header === ResponseHeader.Eof || header === ResponseHeader.Err) break;
    lastSeq = buf[at + 3]!;
    at += 4 + length;
    rows++;
  }
  return { end: at, rows, lastSeq };
}
