import { MAX_FRAME_PAYLOAD } from "./constants.js";

/** One wire frame: 3-byte length, 1-byte sequence id, payload. Views into the framer's buffer, never copies. */
export interface Frame {
  readonly seq: number;
  /** payload bytes (no header) */
  readonly payload: Buffer;
  /** header + payload, exactly as received: forward this */
  readonly raw: Buffer;
  /** a full-length frame: the logical packet continues in the next frame */
  readonly continues: boolean;
}

const EMPTY = Buffer.alloc(0);
const MIN_CAPACITY = 16 * 1024;

/**
 * Incremental framer over a byte stream: push chunks, pull complete frames.
 *
 * One growable buffer and an offset. Frames handed out are views (subarray) of that buffer, and
 * views may still be queued in a socket's write buffer, so bytes before `end` are never
 * overwritten: new bytes are only appended after `end`, or go to a fresh buffer together with the
 * unconsumed tail. When nothing is pending, the incoming chunk itself becomes the buffer.
 */
export class Framer {
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** true when `buf` was allocated here, so its free tail may be written */
  private owned = false;

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    const pending = this.end - this.start;
    const need = pending + chunk.length;
    // When the header of the pending frame is known, size the buffer for the whole frame so a
    // 16 MiB frame arriving in 64 KiB chunks is copied once, not a quadratic number of times.
    const frameSize = pending >= 4 ? 4 + this.buf.readUIntLE(this.start, 3) : 0;
    const capacity = Math.max(need, frameSize, Math.min(need * 2, need + 4 * 1024 * 1024), MIN_CAPACITY);
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, pending);
    this.buf = next;
    this.start = 0;
    this.end = need;
    this.owned = true;
  }

  /** The next complete frame, or undefined when more bytes are needed. */
  next(): Frame | undefined {
    const available = this.end - this.start;
    if (available < 4) return undefined;
    const length = this.buf.readUIntLE(this.start, 3);
    if (available < 4 + length) return undefined;
    const at = this.start;
    this.start += 4 + length;
    const raw = this.buf.subarray(at, at + 4 + length);
    return {
      seq: raw[3]!,
      payload: raw.subarray(4),
      raw,
      continues: length === MAX_FRAME_PAYLOAD,
    };
  }

  /**
   * In-place access for a consumer that scans frames without allocating one object per frame
   * (src/protocol/row-scan.ts): the buffer, where its unconsumed bytes start and where they end.
   */
  get bytes(): Buffer {
    return this.buf;
  }

  get offset(): number {
    return this.start;
  }

  get limit(): number {
    return this.end;
  }

  /** Consumes the bytes up to `offset`, a frame boundary found by scanning `bytes`. */
  skipTo(offset: number): void {
    if (offset < this.start || offset > this.end)
      throw new RangeError(`skipTo(${offset}) outside the buffer`);
    this.start = offset;
  }

  /**
   * The bytes consumed between two `offset`s read with no `push` in between, as one view (no
   * copy): every frame of one received chunk goes out in one socket write.
   */
  consumed(from: number, to: number = this.start): Buffer {
    return this.buf.subarray(from, to);
  }

  /** Declared payload length of the incomplete frame at the front, once its header has arrived. */
  pendingFrameLength(): number | undefined {
    const available = this.end - this.start;
    if (available < 4) return undefined;
    const length = this.buf.readUIntLE(this.start, 3);
    return available < 4 + length ? length : undefined;
  }

  /** Removes and returns the unconsumed bytes (the stream switches to another protocol, e.g. TLS). */
  takeRest(): Buffer {
    const rest = Buffer.from(this.buf.subarray(this.start, this.end));
    this.buf = EMPTY;
    this.start = 0;
    this.end = 0;
    this.owned = false;
    return rest;
  }

  /** Every complete frame currently buffered. */
  drain(): Frame[] {
    const out: Frame[] = [];
    for (let f = this.next(); f !== undefined; f = this.next()) out.push(f);
    return out;
  }
}
