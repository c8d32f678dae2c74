import { describe, expect, it } from "vitest";
import { Capability, Command, ServerStatus } from "../../src/protocol/constants.js";
import { Framer } from "../../src/protocol/framer.js";
import {
  isFinished,
  startTracking,
  statusFrameKind,
  type TrackerState,
  trackFrame,
} from "../../src/protocol/response-tracker.js";
import { trackedOkBytes } from "./session-track-encoder.js";
import {
  columnDefPayload,
  concatBytes,
  eofPayload,
  lenenc,
  packetBytes,
  textRowPayload,
} from "./wire-builder.js";

const TRACK = Capability.SessionTrack;
const DEPRECATE = Capability.DeprecateEof;
const AC = ServerStatus.Autocommit;
const MORE = ServerStatus.MoreResultsExist;

function stream(payloads: number[][]): Buffer {
  const parts: Uint8Array[] = [];
  let seq = 1;
  for (const p of payloads) {
    const { bytes, nextSeq } = packetBytes(seq, Uint8Array.from(p));
    parts.push(bytes);
    seq = nextSeq;
  }
  return concatBytes(parts);
}

/** Tracks a whole response; also returns what statusFrameKind said of each frame before it was tracked. */
function run(caps: number, payloads: number[][]): { state: TrackerState; kinds: (string | null)[] } {
  const framer = new Framer();
  framer.push(stream(payloads));
  let state = startTracking(Command.Query, caps);
  const kinds: (string | null)[] = [];
  for (let f = framer.next(); f !== undefined && !isFinished(state); f = framer.next()) {
    kinds.push(statusFrameKind(state, f));
    state = trackFrame(state, f);
  }
  return { state, kinds };
}

/** A one-column text result whose single row starts with 0x00 (an empty string): not an OK. */
function emptyStringResult(close: number[], deprecateEof: boolean): number[][] {
  return [
    lenenc(1),
    columnDefPayload("v"),
    ...(deprecateEof ? [] : [eofPayload(AC)]),
    textRowPayload([""]),
    close,
  ];
}

describe("the response tracker and session tracking", () => {
  it("collects the changes of every OK of a multi-result response, in order", () => {
    const { state, kinds } = run(TRACK | DEPRECATE, [
      trackedOkBytes({
        status: AC | MORE,
        changes: [
          { kind: "schema", schema: "mysql" },
          { kind: "state-change", changed: true },
        ],
      }),
      ...emptyStringResult(
        trackedOkBytes({
          header: 0xfe,
          status: AC | MORE,
          changes: [{ kind: "transaction-state", state: "T_____S_" }],
        }),
        true,
      ),
      trackedOkBytes({
        status: AC,
        affected: 1,
        changes: [{ kind: "system-variable", name: "last_gtid", value: "0-1-9" }],
      }),
    ]);
    expect(state.phase.kind).toBe("done");
    expect(state.changes).toEqual([
      { kind: "schema", schema: "mysql" },
      { kind: "state-change", changed: true },
      { kind: "transaction-state", state: "T_____S_" },
      { kind: "system-variable", name: "last_gtid", value: "0-1-9" },
    ]);
    // the schema's state-change flag, a transaction and last_gtid leave nothing a reset would undo
    expect(state.sessionChanged).toBe(false);
    expect(kinds).toEqual(["ok", null, null, null, "ok", "ok"]);
  });

  it("says the session changed when an OK reports a variable", () => {
    const { state } = run(TRACK, [
      trackedOkBytes({
        status: AC,
        changes: [{ kind: "system-variable", name: "time_zone", value: "+02:00" }],
      }),
    ]);
    expect(state.sessionChanged).toBe(true);
  });

  it("decodes nothing when no OK sets SERVER_SESSION_STATE_CHANGED", () => {
    const { state } = run(TRACK, [trackedOkBytes({ status: AC, affected: 2, info: "Rows matched: 2" })]);
    expect(state.changes).toEqual([]);
    expect(state.sessionChanged).toBe(false);
  });

  it("takes a classic EOF with the flag, or a flagged OK on a connection without SESSION_TRACK, as an unknown change", () => {
    const eof = run(TRACK, emptyStringResult(eofPayload(AC | ServerStatus.SessionStateChanged), false));
    expect(eof.kinds).toEqual([null, null, "eof", null, "eof"]);
    expect(eof.state.changes).toEqual([]);
    expect(eof.state.sessionChanged).toBe(true);
    const untracked = run(0, [[0x00, 0, 0, ...[0x02, 0x40], 0, 0]]);
    expect(untracked.state.sessionChanged).toBe(true);
    expect(untracked.state.changes).toEqual([]);
  });

  it("turns a truncated session-state block into a protocol violation, not a crash", () => {
    const ok = trackedOkBytes({ status: AC, changes: [{ kind: "schema", schema: "abcdef" }] });
    const { state } = run(TRACK, [ok.slice(0, ok.length - 3)]);
    expect(state.phase.kind).toBe("violation");
  });
});
