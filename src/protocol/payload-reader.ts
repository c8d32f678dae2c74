/**
 * Cursor over one packet payload: fixed and length-encoded integers and strings
 * (spec: "Protocol Basic Data Types"). Used for handshakes and the few fields routing needs,
 * never for row values. Reads past the end throw a PayloadError so a malformed packet ends
 * only its session.
 */
export class PayloadError extends Error {
  readonly code = "MALFORMED_PACKET";
}

export class PayloadReader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) {
      throw new PayloadError(
        `packet too short: need ${n} bytes at offset ${this.offset} of ${this.buf.length}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = this.buf.readUIntLE(this.offset, 3);
    this.offset += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  /** Length-encoded integer; values above 2^53 lose precision (lengths that large cannot occur). */
  lenenc(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      this.need(8);
      const v = this.buf.readBigUInt64LE(this.offset);
      this.offset += 8;
      return Number(v);
    }
    throw new PayloadError(`invalid length-encoded integer prefix 0xff at offset ${this.offset - 1}`);
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  lenencBytes(): Buffer | null {
    const n = this.lenenc();
    return n === null ? null : this.bytes(n);
  }

  /** NUL-terminated string; when `lenient`, a missing terminator ends the string at the payload end. */
  nulString(lenient = false): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) {
      if (!lenient) throw new PayloadError(`missing NUL terminator after offset ${this.offset}`);
      const s = this.buf.toString("utf8", this.offset);
      this.offset = this.buf.length;
      return s;
    }
    const s = this.buf.toString("utf8", this.offset, end);
    this.offset = end + 1;
    return s;
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return v;
  }
}
