import type { Frame, Framer } from "./framer.js";

/** A logical packet: one or more frames joined (payloads of 16 MiB and more span frames). */
export interface Packet {
  /** sequence id of the first frame */
  readonly seq: number;
  /** sequence id of the last frame (the next packet in this exchange uses lastSeq + 1) */
  readonly lastSeq: number;
  /** joined payload: a view for single-frame packets, a copy only for multi-frame ones */
  readonly payload: Buffer;
  /** the frames' raw bytes, in order, for forwarding unchanged */
  readonly raw: readonly Buffer[];
}

export type AssembleResult =
  | { readonly kind: "packet"; readonly packet: Packet }
  | { readonly kind: "need-more" }
  | { readonly kind: "too-large"; readonly size: number; readonly limit: number }
  | { readonly kind: "bad-sequence"; readonly expected: number; readonly got: number };

/**
 * Joins frames into logical packets with a size limit (max_allowed_packet on the client side).
 * Pure bookkeeping over a Framer: no sockets.
 */
export class PacketAssembler {
  private parts: Frame[] = [];
  private size = 0;

  constructor(
    private readonly framer: Framer,
    private readonly maxPacketSize: number,
  ) {}

  next(): AssembleResult {
    for (let frame = this.framer.next(); frame !== undefined; frame = this.framer.next()) {
      const last = this.parts[this.parts.length - 1];
      if (last !== undefined && frame.seq !== ((last.seq + 1) & 0xff)) {
        return { kind: "bad-sequence", expected: (last.seq + 1) & 0xff, got: frame.seq };
      }
      this.size += frame.payload.length;
      if (this.size > this.maxPacketSize)
        return { kind: "too-large", size: this.size, limit: this.maxPacketSize };
      this.parts.push(frame);
      if (frame.continues) continue;
      const parts = this.parts;
      this.parts = [];
      this.size = 0;
      const first = parts[0]!;
      const payload =
        parts.length === 1
          ? first.payload
          : Buffer.concat(
              parts.map((p) => p.payload),
              this.sizeOf(parts),
            );
      return {
        kind: "packet",
        packet: { seq: first.seq, lastSeq: frame.seq, payload, raw: parts.map((p) => p.raw) },
      };
    }
    // Judge a frame by its header: a client declaring more than the limit is refused at once,
    // instead of Sluice buffering up to 16 MiB of it first.
    const declared = this.framer.pendingFrameLength();
    if (declared !== undefined && this.size + declared > this.maxPacketSize) {
      return { kind: "too-large", size: this.size + declared, limit: this.maxPacketSize };
    }
    return { kind: "need-more" };
  }

  private sizeOf(parts: readonly Frame[]): number {
    let n = 0;
    for (const p of parts) n += p.payload.length;
    return n;
  }
}
