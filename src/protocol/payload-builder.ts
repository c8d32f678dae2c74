/** Builds packet payloads (the encoder side of PayloadReader) for packets Sluice writes itself. */
export class PayloadBuilder {
  private parts: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    return this.push(Buffer.from([v & 0xff]));
  }

  u16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16LE(v & 0xffff);
    return this.push(b);
  }

  u24(v: number): this {
    const b = Buffer.allocUnsafe(3);
    b.writeUIntLE(v, 0, 3);
    return this.push(b);
  }

  u32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v >>> 0);
    return this.push(b);
  }

  lenenc(v: number): this {
    if (v < 0xfb) return this.u8(v);
    if (v <= 0xffff) return this.u8(0xfc).u16(v);
    if (v <= 0xffffff) return this.u8(0xfd).u24(v);
    const b = Buffer.allocUnsafe(9);
    b[0] = 0xfe;
    b.writeBigUInt64LE(BigInt(v), 1);
    return this.push(b);
  }

  bytes(b: Buffer | Uint8Array): this {
    return this.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  zeros(n: number): this {
    return this.push(Buffer.alloc(n));
  }

  lenencBytes(b: Buffer): this {
    return this.lenenc(b.length).bytes(b);
  }

  lenencString(s: string): this {
    return this.lenencBytes(Buffer.from(s, "utf8"));
  }

  nulString(s: string): this {
    return this.push(Buffer.from(`${s}\0`, "utf8"));
  }

  string(s: string): this {
    return this.push(Buffer.from(s, "utf8"));
  }

  build(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}
