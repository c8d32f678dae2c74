import type { Socket } from "node:net";
import type { BackendConnection } from "../pool/backend-connection.js";
import type { Frame } from "../protocol/framer.js";
import type { Packet } from "../protocol/packet-assembler.js";
import {
  infileSent,
  isFinished,
  startTracking,
  type TrackerState,
  trackFrame,
} from "../protocol/response-tracker.js";
import type { ClientInput } from "./client-input.js";

export type ForwardOutcome =
  | { readonly kind: "complete"; readonly state: TrackerState }
  /** the backend broke the protocol; the connection is unusable */
  | { readonly kind: "protocol-error"; readonly reason: string; readonly lastSeq: number }
  /** the backend connection closed before the response ended */
  | {
      readonly kind: "backend-lost";
      readonly reason: string;
      readonly lastSeq: number;
      readonly sentAnything: boolean;
    }
  | { readonly kind: "client-lost" };

/**
 * Sends one client command to a backend and streams the response back, finding only packet
 * boundaries (response tracker). Frames of one chunk go to the client in one write where they
 * are contiguous. Backpressure: when the client socket's buffer is full, the backend socket is
 * paused until 'drain'; during LOCAL INFILE the reverse holds.
 */
export async function forwardCommand(
  client: Socket,
  input: ClientInput,
  backend: BackendConnection,
  packet: Packet,
  onPause: () => void = () => {},
  /** sees each response frame before it is forwarded (may rewrite it in place) */
  onFrame?: (frame: Frame, index: number) => void,
): Promise<ForwardOutcome> {
  const command = packet.payload[0] ?? 0;
  let state = startTracking(command, backend.capabilities);
  for (const raw of packet.raw) backend.write(raw);
  if (isFinished(state)) return { kind: "complete", state };
  let lastSeq = packet.lastSeq;
  for (;;) {
    const outcome = await streamResponse(client, backend, state, lastSeq, onPause, onFrame);
    if (outcome.kind !== "infile") return outcome.result;
    // LOCAL INFILE: the client's file data, ended by an empty packet, goes to the backend as is.
    state = outcome.state;
    lastSeq = outcome.lastSeq;
    for (;;) {
      let data: Packet;
      try {
        data = await input.next();
      } catch {
        backend.destroy();
        return { kind: "client-lost" };
      }
      for (const raw of data.raw) {
        if (!backend.write(raw)) await waitDrain(backend.socket);
      }
      lastSeq = data.lastSeq;
      if (data.payload.length === 0) break;
      if (backend.closed)
        return { kind: "backend-lost", reason: "closed during LOCAL INFILE", lastSeq, sentAnything: true };
    }
    state = infileSent(state);
  }
}

type StreamResult =
  | { readonly kind: "infile"; readonly state: TrackerState; readonly lastSeq: number }
  | { readonly kind: "done"; readonly result: ForwardOutcome };

function streamResponse(
  client: Socket,
  backend: BackendConnection,
  initial: TrackerState,
  seqBefore: number,
  onPause: () => void,
  onFrame: ((frame: Frame, index: number) => void) | undefined,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    let state = initial;
    let lastSeq = seqBefore;
    let sentAnything = false;
    let settled = false;
    let paused = false;
    let frameIndex = 0;
    const resume = () => {
      paused = false;
      backend.socket.resume();
    };
    const finish = (r: StreamResult) => {
      if (settled) return;
      settled = true;
      backend.setSink(undefined);
      offBackendClose();
      client.off("close", onClientClose);
      resolve(r);
    };
    const onClientClose = () => {
      // The backend is mid-response; its connection cannot be reused.
      backend.destroy();
      finish({ kind: "done", result: { kind: "client-lost" } });
    };
    const offBackendClose = backend.onClose((reason) =>
      finish({
        kind: "done",
        result: { kind: "backend-lost", reason: reason.message, lastSeq, sentAnything },
      }),
    );
    client.on("close", onClientClose);
    backend.setSink((frames: Frame[]) => {
      if (settled) return;
      const run: Buffer[] = [];
      let extra = false;
      for (const f of frames) {
        if (isFinished(state) || state.phase.kind === "infile") {
          extra = true;
          break;
        }
        state = trackFrame(state, f);
        lastSeq = f.seq;
        onFrame?.(f, frameIndex++);
        appendContiguous(run, f.raw);
      }
      if (run.length > 0) {
        sentAnything = true;
        let ok = true;
        for (const b of run) ok = client.write(b);
        if (!ok && !paused && !isFinished(state)) {
          paused = true;
          onPause();
          backend.socket.pause();
          client.once("drain", resume);
        }
      }
      if (state.phase.kind === "violation" || extra) {
        const reason =
          state.phase.kind === "violation" ? state.phase.reason : "data after the end of a response";
        backend.destroy();
        finish({ kind: "done", result: { kind: "protocol-error", reason, lastSeq } });
      } else if (state.phase.kind === "infile") {
        finish({ kind: "infile", state, lastSeq });
      } else if (isFinished(state)) {
        finish({ kind: "done", result: { kind: "complete", state } });
      }
    });
  });
}

/** Extends the last buffer when `next` directly follows it in the same memory, else appends. */
function appendContiguous(run: Buffer[], next: Buffer): void {
  const last = run[run.length - 1];
  if (
    last !== undefined &&
    last.buffer === next.buffer &&
    last.byteOffset + last.length === next.byteOffset
  ) {
    run[run.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + next.length);
    return;
  }
  run.push(next);
}

function waitDrain(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.once("drain", done);
    socket.once("close", done);
  });
}
