import type { Socket } from "node:net";
import type { BackendConnection } from "../pool/backend-connection.js";
import { Capability } from "../protocol/constants.js";
import type { Frame, Framer } from "../protocol/framer.js";
import type { Packet } from "../protocol/packet-assembler.js";
import {
  cursorRequested,
  infileSent,
  isFinished,
  isRowFrame,
  startTracking,
  statusFrameKind,
  type TrackerState,
  trackFrame,
} from "../protocol/response-tracker.js";
import { scanRowFrames } from "../protocol/row-scan.js";
import { frameForClient, type TrackerAdditions } from "../protocol/session-track.js";
import type { ClientInput } from "./client-input.js";
import { commandSent } from "./lease-hygiene.js";
import type { StatementDeadline } from "./statement-deadline.js";

export type ForwardOutcome =
  | {
      readonly kind: "complete";
      readonly state: TrackerState;
      /** result-set rows sent to the client (counted by framing, never decoded) */
      readonly rowsSent: number;
    }
  /** the backend broke the protocol; the connection is unusable */
  | { readonly kind: "protocol-error"; readonly reason: string; readonly lastSeq: number }
  /** the backend connection closed before the response ended */
  | {
      readonly kind: "backend-lost";
      readonly reason: string;
      readonly lastSeq: number;
      readonly sentAnything: boolean;
    }
  | { readonly kind: "client-lost" }
  /**
   * the statement ran past its deadline: nothing more goes to the client; the rest of the response
   * waits in the connection's queue (see statement-timeout.ts). `state` is where the response stood.
   */
  | {
      readonly kind: "timed-out";
      readonly state: TrackerState;
      readonly lastSeq: number;
      readonly sentAnything: boolean;
    };

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
  /** the statement's time limit, watched while the server's response is awaited */
  deadline?: StatementDeadline,
): Promise<ForwardOutcome> {
  const command = packet.payload[0] ?? 0;
  let state = startTracking(command, backend.capabilities, cursorRequested(packet.payload));
  commandSent(backend, command);
  for (const raw of packet.raw) backend.write(raw);
  if (isFinished(state)) return { kind: "complete", state, rowsSent: 0 };
  let lastSeq = packet.lastSeq;
  for (;;) {
    const outcome = await streamResponse(client, backend, state, lastSeq, onPause, onFrame, deadline);
    if (outcome.kind !== "infile") {
      if (outcome.result.kind === "complete") backend.session.observe(command, outcome.result.state);
      return outcome.result;
    }
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
  deadline: StatementDeadline | undefined,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    let state = initial;
    let lastSeq = seqBefore;
    let sentAnything = false;
    let settled = false;
    let paused = false;
    let frameIndex = 0;
    let rowsSent = 0;
    const resume = () => {
      paused = false;
      backend.socket.resume();
    };
    const finish = (r: StreamResult) => {
      if (settled) return;
      settled = true;
      deadline?.clearExpiry();
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
    // Rows are skipped in place (no object per row) unless someone wants to see every frame.
    const scanRows = onFrame === undefined;
    // The backend tracks session state for Sluice; the client gets its OK packets as the server
    // would have sent them (rows are never touched).
    const rewrite = okRewrite(backend);
    const strip = rewrite !== "as-is";
    const additions = rewrite === "as-is" || rewrite === "strip" ? undefined : rewrite;
    backend.setSink((source: Framer) => {
      if (settled) return;
      let from = source.offset;
      let upto = from;
      let extra = false;
      let full = false;
      // a rewritten packet splits the chunk in pieces: corked, they leave in one system call
      client.cork();
      for (;;) {
        if (scanRows && state.phase.kind === "rows" && !state.continuation) {
          const scan = scanRowFrames(source.bytes, source.offset, source.limit);
          if (scan.rows > 0) {
            rowsSent += scan.rows;
            lastSeq = scan.lastSeq;
            source.skipTo(scan.end);
          }
        }
        upto = source.offset;
        const f = source.next();
        if (f === undefined) break;
        if (isFinished(state) || state.phase.kind === "infile") {
          extra = true;
          break;
        }
        const status = strip ? statusFrameKind(state, f) : null;
        if (isRowFrame(state, f)) rowsSent++;
        state = trackFrame(state, f);
        lastSeq = f.seq;
        onFrame?.(f, frameIndex++);
        const shown =
          status === null || state.phase.kind === "violation" ? f.raw : frameForClient(f, status, additions);
        if (shown !== f.raw) {
          // what came before goes as is, then the rewritten packet
          if (upto > from && !client.write(source.consumed(from, upto))) full = true;
          if (!client.write(shown)) full = true;
          sentAnything = true;
          from = source.offset;
          upto = from;
        }
      }
      // every frame of the chunk taken in one write: they are contiguous in the framer's buffer
      if (upto > from) {
        sentAnything = true;
        if (!client.write(source.consumed(from, upto))) full = true;
      }
      client.uncork();
      if (full && !paused && !isFinished(state)) {
        paused = true;
        onPause();
        backend.socket.pause();
        client.once("drain", resume);
      }
      if (state.phase.kind === "violation" || extra) {
        const reason =
          state.phase.kind === "violation" ? state.phase.reason : "data after the end of a response";
        backend.destroy();
        finish({ kind: "done", result: { kind: "protocol-error", reason, lastSeq } });
      } else if (state.phase.kind === "infile") {
        finish({ kind: "infile", state, lastSeq });
      } else if (isFinished(state)) {
        finish({ kind: "done", result: { kind: "complete", state, rowsSent } });
      }
    });
    // Out of time: stop forwarding; a paused backend socket flows again so the rest can be drained.
    deadline?.onExpiry(() => {
      if (settled) return;
      if (paused) {
        client.off("drain", resume);
        resume();
      }
      finish({ kind: "done", result: { kind: "timed-out", state, lastSeq, sentAnything } });
    });
  });
}

/**
 * How OK packets from `backend` reach its client: without session state for a client without
 * SESSION_TRACK ("strip"), without the entries of Sluice's own trackers for one with it (while
 * they are in force; a client that set its own trackers gets what the server sends), else as is.
 */
function okRewrite(backend: BackendConnection): "as-is" | "strip" | TrackerAdditions {
  if ((backend.capabilities & Capability.SessionTrack) === 0) return "as-is";
  if ((backend.clientCapabilities & Capability.SessionTrack) === 0) return "strip";
  const additions = backend.trackerAdditions;
  return additions === null || !backend.session.active ? "as-is" : additions;
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
