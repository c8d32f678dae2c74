import { Capability, Command, MAX_FRAME_PAYLOAD, ResponseHeader, ServerStatus } from "./constants.js";
import { decodeErr, decodeOk, decodeTerminator, type ErrPacket } from "./generic-response.js";
import { PayloadError, PayloadReader } from "./payload-reader.js";

/**
 * Finds where a backend's response to one command ends, frame by frame, without decoding rows.
 * A pure reducer: `trackFrame(state, frame)` returns the next state (the same object when nothing
 * changes, which is the common case inside a result set).
 *
 * Boundaries (spec: "Text Resultset", "Binary Protocol Resultset", "COM_STMT_PREPARE Response"):
 * OK/ERR/0xFB(LOCAL INFILE)/column count; column definitions; a classic EOF unless DEPRECATE_EOF;
 * rows until a terminator (0xFE with a frame shorter than 0xFFFFFF: a row cannot start with 0xFE
 * unless its first value is at least 2^24 bytes, which makes its first frame full-length) or ERR;
 * the MORE_RESULTS_EXIST flag restarts at a new result; CURSOR_EXISTS ends an execute after the
 * metadata (rows then come through COM_STMT_FETCH).
 */
export type Expect = "result" | "execute" | "prepare" | "fetch" | "field-list" | "single" | "none";

export type Phase =
  | { readonly kind: "first" }
  | { readonly kind: "column-defs"; readonly remaining: number }
  | { readonly kind: "columns-eof" }
  | { readonly kind: "rows" }
  | { readonly kind: "prepare-defs"; readonly remaining: number; readonly thenColumns: number }
  | { readonly kind: "prepare-eof"; readonly thenColumns: number }
  | { readonly kind: "infile" }
  | { readonly kind: "done" }
  | { readonly kind: "violation"; readonly reason: string };

export interface PreparedInfo {
  readonly statementId: number;
  readonly columns: number;
  readonly params: number;
}

export interface TrackerState {
  readonly expect: Expect;
  readonly deprecateEof: boolean;
  readonly phase: Phase;
  /** the previous frame was full-length: this frame continues the same packet */
  readonly continuation: boolean;
  /** status flags of the last OK/EOF seen (transaction state, more results, cursor) */
  readonly status: number | undefined;
  readonly warnings: number;
  readonly error: ErrPacket | undefined;
  readonly prepared: PreparedInfo | undefined;
  /** results completed so far (multi-statements / multi-results) */
  readonly results: number;
}

/** What a command's first byte says about its response. */
export function expectFor(command: number): Expect {
  switch (command) {
    case Command.Query:
    case Command.ProcessInfo:
      return "result";
    case Command.StmtExecute:
      return "execute";
    case Command.StmtPrepare:
      return "prepare";
    case Command.StmtFetch:
      return "fetch";
    case Command.FieldList:
      return "field-list";
    case Command.StmtSendLongData:
    case Command.StmtClose:
    case Command.Quit:
      return "none";
    default:
      return "single";
  }
}

export function startTracking(command: number, capabilities: number): TrackerState {
  const expect = expectFor(command);
  return {
    expect,
    deprecateEof: (capabilities & Capability.DeprecateEof) !== 0,
    phase: expect === "none" ? { kind: "done" } : expect === "fetch" ? { kind: "rows" } : { kind: "first" },
    continuation: false,
    status: undefined,
    warnings: 0,
    error: undefined,
    prepared: undefined,
    results: 0,
  };
}

export interface FrameView {
  readonly payload: Buffer;
  readonly continues: boolean;
}

export function isFinished(state: TrackerState): boolean {
  return state.phase.kind === "done" || state.phase.kind === "violation";
}

/** After the client's LOCAL INFILE data (ended by an empty packet), the server answers OK or ERR. */
export function infileSent(state: TrackerState): TrackerState {
  return state.phase.kind === "infile" ? { ...state, phase: { kind: "first" } } : state;
}

export function trackFrame(state: TrackerState, frame: FrameView): TrackerState {
  if (state.continuation) {
    return frame.continues ? state : { ...state, continuation: false };
  }
  let next: TrackerState;
  try {
    next = step(state, frame.payload);
  } catch (e) {
    // a truncated OK/EOF from the server: never let backend bytes throw out of the data path
    if (e instanceof PayloadError) return violation(state, e.message);
    throw e;
  }
  if (frame.continues && !isFinished(next))
    return next === state ? { ...state, continuation: true } : { ...next, continuation: true };
  return next;
}

function violation(state: TrackerState, reason: string): TrackerState {
  return { ...state, phase: { kind: "violation", reason } };
}

function isTerminator(payload: Buffer): boolean {
  return payload[0] === ResponseHeader.Eof && payload.length < MAX_FRAME_PAYLOAD;
}

function finishWithError(state: TrackerState, payload: Buffer): TrackerState {
  return { ...state, phase: { kind: "done" }, error: decodeErr(payload) };
}

/** A result ended with these flags: another result follows, or the response is complete. */
function endResult(state: TrackerState, status: number, warnings: number): TrackerState {
  const more = (status & ServerStatus.MoreResultsExist) !== 0;
  return {
    ...state,
    status,
    warnings,
    results: state.results + 1,
    phase: more ? { kind: "first" } : { kind: "done" },
  };
}

function step(state: TrackerState, payload: Buffer): TrackerState {
  const phase = state.phase;
  const header = payload[0];
  if (header === undefined) {
    // An empty packet is only valid as a row of a zero-column result, which cannot exist.
    return violation(state, `empty packet in phase ${phase.kind}`);
  }
  switch (phase.kind) {
    case "first":
      return stepFirst(state, payload, header);
    case "column-defs": {
      if (header === ResponseHeader.Err) return finishWithError(state, payload);
      if (phase.remaining > 1)
        return { ...state, phase: { kind: "column-defs", remaining: phase.remaining - 1 } };
      return { ...state, phase: state.deprecateEof ? { kind: "rows" } : { kind: "columns-eof" } };
    }
    case "columns-eof": {
      if (header === ResponseHeader.Err) return finishWithError(state, payload);
      if (!isTerminator(payload)) return violation(state, "expected EOF after column definitions");
      const t = decodeTerminator(payload, false);
      if (state.expect === "execute" && (t.status & ServerStatus.CursorExists) !== 0) {
        return endResult(state, t.status, t.warnings);
      }
      return { ...state, phase: { kind: "rows" } };
    }
    case "rows": {
      if (header === ResponseHeader.Err) return finishWithError(state, payload);
      if (isTerminator(payload)) {
        const t = decodeTerminator(payload, state.deprecateEof);
        return endResult(state, t.status, t.warnings);
      }
      return state;
    }
    case "prepare-defs": {
      if (phase.remaining > 1) {
        return { ...state, phase: { ...phase, remaining: phase.remaining - 1 } };
      }
      if (!state.deprecateEof)
        return { ...state, phase: { kind: "prepare-eof", thenColumns: phase.thenColumns } };
      return afterPrepareBlock(state, phase.thenColumns);
    }
    case "prepare-eof": {
      if (!isTerminator(payload))
        return violation(state, "expected EOF after prepared statement definitions");
      return afterPrepareBlock(state, phase.thenColumns);
    }
    case "infile":
      return violation(state, "backend sent data while the client's LOCAL INFILE data was expected");
    case "done":
    case "violation":
      return violation(state, `unexpected packet 0x${header.toString(16)} after the response ended`);
  }
}

function afterPrepareBlock(state: TrackerState, thenColumns: number): TrackerState {
  if (thenColumns > 0)
    return { ...state, phase: { kind: "prepare-defs", remaining: thenColumns, thenColumns: 0 } };
  return { ...state, phase: { kind: "done" } };
}

function stepFirst(state: TrackerState, payload: Buffer, header: number): TrackerState {
  if (header === ResponseHeader.Err) return finishWithError(state, payload);
  switch (state.expect) {
    case "single":
      // COM_STATISTICS answers with a bare string; everything else with OK/EOF.
      if (header === ResponseHeader.Ok || header === ResponseHeader.Eof) {
        const ok = header === ResponseHeader.Ok ? decodeOk(payload) : decodeTerminator(payload, false);
        return { ...state, status: ok.status, warnings: ok.warnings, phase: { kind: "done" } };
      }
      return { ...state, phase: { kind: "done" } };
    case "field-list":
      return isTerminator(payload)
        ? endResult(state, decodeTerminator(payload, state.deprecateEof).status, 0)
        : { ...state, phase: { kind: "first" } };
    case "prepare":
      return stepPrepareOk(state, payload, header);
    default:
      break;
  }
  if (header === ResponseHeader.Ok) {
    const ok = decodeOk(payload);
    return endResult(state, ok.status, ok.warnings);
  }
  if (header === ResponseHeader.LocalInfile && state.expect === "result") {
    return { ...state, phase: { kind: "infile" } };
  }
  const r = new PayloadReader(payload);
  const columns = r.lenenc();
  if (columns === null || columns === 0) return violation(state, "invalid column count");
  return { ...state, phase: { kind: "column-defs", remaining: columns } };
}

function stepPrepareOk(state: TrackerState, payload: Buffer, header: number): TrackerState {
  if (header !== ResponseHeader.Ok || payload.length < 12) {
    return violation(state, "expected COM_STMT_PREPARE_OK");
  }
  const prepared: PreparedInfo = {
    statementId: payload.readUInt32LE(1),
    columns: payload.readUInt16LE(5),
    params: payload.readUInt16LE(7),
  };
  const warnings = payload.readUInt16LE(10);
  const base = { ...state, prepared, warnings };
  if (prepared.params > 0) {
    return {
      ...base,
      phase: { kind: "prepare-defs", remaining: prepared.params, thenColumns: prepared.columns },
    };
  }
  return afterPrepareBlock(base, prepared.columns);
}
