import type { Socket } from "node:net";
import { Framer } from "../protocol/framer.js";
import { type Packet, PacketAssembler } from "../protocol/packet-assembler.js";

/** Why reading from a client stopped; the session answers each kind differently. */
export type InputFailure =
  | { readonly kind: "closed" }
  | { readonly kind: "too-large"; readonly size: number; readonly limit: number }
  | { readonly kind: "bad-sequence"; readonly expected: number; readonly got: number }
  /** nothing arrived for `ms`; `partial`: the client had started a packet (a stalled read, not idleness) */
  | { readonly kind: "timeout"; readonly ms: number; readonly partial: boolean };

export class InputError extends Error {
  constructor(readonly failure: InputFailure) {
    super(`client input: ${failure.kind}`);
  }
}

/** Bytes buffered beyond a waiting reader before the client socket is paused. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * A packet the client started must keep arriving: no new byte of it for this long fails the read
 * (MariaDB's net_read_timeout, 30 s). Without it, a client declaring a long packet and sending
 * part of it would hold its session forever whenever no idle timeout is configured.
 */
export const PARTIAL_PACKET_TIMEOUT_MS = 30_000;

/**
 * The client's byte stream as logical packets, one `next()` at a time. Pauses the socket when
 * nobody is reading and too much is buffered (a pipelining or flooding client cannot make Sluice
 * buffer without bound); the size limit is max_allowed_packet.
 */
export class ClientInput {
  private readonly framer = new Framer();
  private readonly assembler: PacketAssembler;
  private waiter:
    | { resolve: (p: Packet) => void; reject: (e: InputError) => void; timer?: NodeJS.Timeout }
    | undefined;
  private partialTimer: NodeJS.Timeout | undefined;
  private failure: InputFailure | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => this.fail({ kind: "closed" });

  constructor(
    private socket: Socket,
    maxPacketSize: number,
    private readonly partialPacketTimeoutMs = PARTIAL_PACKET_TIMEOUT_MS,
  ) {
    this.assembler = new PacketAssembler(this.framer, maxPacketSize);
    this.attach(socket);
  }

  get currentSocket(): Socket {
    return this.socket;
  }

  /** After STARTTLS-style upgrades: read from the TLS socket instead. */
  switchSocket(next: Socket): void {
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onEnd);
    this.socket = next;
    this.attach(next);
  }

  /** Bytes received after the last packet returned (e.g. a TLS ClientHello sent right after SSLRequest). */
  takeBuffered(): Buffer {
    return this.framer.takeRest();
  }

  /** Stops reading (TLS upgrade in progress) without failing. */
  detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onEnd);
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("close", this.onEnd);
    socket.on("error", this.onEnd);
  }

  /** The next packet; rejects with InputError on close, limit, sequence error or timeout. */
  next(timeoutMs = 0): Promise<Packet> {
    if (this.waiter !== undefined) return Promise.reject(new Error("ClientInput.next() called twice"));
    const ready = this.take();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure !== undefined) return Promise.reject(new InputError(this.failure));
    if (this.socket.isPaused()) this.socket.resume();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      if (timeoutMs > 0) {
        this.waiter.timer = setTimeout(
          () => this.fail({ kind: "timeout", ms: timeoutMs, partial: this.framer.buffered > 0 }),
          timeoutMs,
        );
      }
      this.watchPartial();
    });
  }

  /** (Re)arms the partial-packet timer while a reader waits on an incomplete packet. */
  private watchPartial(): void {
    clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    if (this.waiter === undefined || this.framer.buffered === 0 || this.partialPacketTimeoutMs <= 0) return;
    const ms = this.partialPacketTimeoutMs;
    this.partialTimer = setTimeout(() => this.fail({ kind: "timeout", ms, partial: true }), ms);
    this.partialTimer.unref();
  }

  private take(): Packet | undefined {
    if (this.failure !== undefined) return undefined;
    const r = this.assembler.next();
    switch (r.kind) {
      case "packet":
        return r.packet;
      case "need-more":
        return undefined;
      case "too-large":
        this.fail({ kind: "too-large", size: r.size, limit: r.limit });
        return undefined;
      case "bad-sequence":
        this.fail({ kind: "bad-sequence", expected: r.expected, got: r.got });
        return undefined;
    }
  }

  private receive(chunk: Buffer): void {
    this.framer.push(chunk);
    if (this.waiter !== undefined) {
      const p = this.take();
      if (p !== undefined) {
        const w = this.waiter;
        this.waiter = undefined;
        clearTimeout(w.timer);
        w.resolve(p);
      }
    }
    this.watchPartial();
    if (this.waiter === undefined && this.framer.buffered > HIGH_WATER) this.socket.pause();
  }

  private fail(failure: InputFailure): void {
    clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    if (this.failure === undefined) this.failure = failure;
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.reject(new InputError(this.failure));
  }
}
