import {
  Capability,
  Command,
  CursorType,
  MAX_FRAME_PAYLOAD,
  ResponseHeader,
  ServerStatus,
} from "./constants.js";
import { decodeErr, decodeOk, decodeTerminator, type ErrPacket } from "./generic-response.js";
import { PayloadError, PayloadReader } from "./payload-reader.js";
import { changesSession, okSessionChanges, type SessionChange } from "./session-track.js";

/**
 * Finds where a backend's response to one command ends, frame by frame, without decoding rows.
 * A pure reducer: `trackFrame(state, frame)` returns the next state (the same object when nothing
 * changes, which is the common case inside a result set).
 *
 * Boundaries (spec: "Text Resultset", "Binary Protocol Resultset", "COM_STMT_PREPARE Response"):
 * OK/ERR/0xFB(LOCAL INFILE)/column count; column definitions; a classic EOF unless DEPRECATE_EOF;
 * rows until a terminator (0xFE with a frame shorter than 0xFFFFFF: a row cannot start with 0xFE
 * unless its first value is at least 2^24 bytes, which makes its first frame full-length) or ERR;
 * the MORE_RESULTS_EXIST flag restarts at a new result; CURSOR_EXISTS ends an execute that asked
 * for a cursor after the metadata (rows then come through COM_STMT_FETCH). Only then: MariaDB
 * leaves the flag set on later results after a stored procedure's own cursor, with rows following.
 */
export type Expect =
  | "result"
  | "execute"
  /** COM_STMT_EXECUTE that asked for a cursor: CURSOR_EXISTS may end it after the metadata */
  | "execute-cursor"
  | "prepare"
  | "fetch"
  | "field-list"
  | "single"
  | "none";

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
  /** the connection negotiated CLIENT_SESSION_TRACK: OK packets may carry session-state changes */
  readonly sessionTrack: boolean;
  /** session-state changes the OK packets of this response reported, in order */
  readonly changes: readonly SessionChange[];
  /** some OK/EOF said the session changed in a way that outlives the statement (see changesSession) */
  readonly sessionChanged: boolean;
  /** affected_rows of the OK packets that ended results (summed over multi-results) */
  readonly affectedRows: number;
  /** last_insert_id of the last OK packet that ended a result (0 when none did) */
  readonly insertId: number;
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

/**
 * The tracker for the response to `command`. `cursor`: a COM_STMT_EXECUTE whose flags ask for a
 * cursor (see cursorRequested).
 */
export function startTracking(command: number, capabilities: number, cursor = false): TrackerState {
  const expect = cursor && command === Command.StmtExecute ? "execute-cursor" : expectFor(command);
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
    affectedRows: 0,
    insertId: 0,
    sessionTrack: (capabilities & Capability.SessionTrack) !== 0,
    changes: NO_CHANGES,
    sessionChanged: false,
  };
}

/** Whether a COM_STMT_EXECUTE payload's flags byte asks for a cursor (CURSOR_TYPE_*). */
export function cursorRequested(payload: Buffer): boolean {
  return payload[0] === Command.StmtExecute && ((payload[5] ?? 0) & CURSOR_FLAGS) !== 0;
}

const CURSOR_FLAGS = CursorType.ReadOnly | CursorType.ForUpdate | CursorType.Scrollable;

export interface FrameView {
  readonly payload: Buffer;
  readonly continues: boolean;
}

export function isFinished(state: TrackerState): boolean {
  return state.phase.kind === "done" || state.phase.kind === "violation";
}

/** After the client's LOCAL INFILE data (ended by an empty packet), the server answers OK or ERR. */
export function infileSent(state: TrackerState): TrackerState {
  return state.phase.kind === "infile" ? withPhase(state, { kind: "first" }) : state;
}

/**
 * Whether `frame` is a row of a result set (the first frame of one: a row longer than one frame
 * continues in the next ones). Ask before `trackFrame`; callers count rows with it without the
 * tracker allocating a state per row.
 */
export function isRowFrame(state: TrackerState, frame: FrameView): boolean {
  if (state.continuation || state.phase.kind !== "rows") return false;
  const header = frame.payload[0];
  return header !== ResponseHeader.Err && !isTerminator(frame.payload) && header !== undefined;
}

/**
 * What `frame` is, asked before `trackFrame`: an OK packet carrying status flags ("ok": 0x00, or
 * 0xFE closing a result under DEPRECATE_EOF), a classic EOF ("eof"), or anything else (null:
 * rows, definitions, ERR, PREPARE_OK). Lets the forwarder touch only those packets.
 */
export function statusFrameKind(state: TrackerState, frame: FrameView): "ok" | "eof" | null {
  if (state.continuation || frame.continues) return null;
  const payload = frame.payload;
  const header = payload[0];
  const terminator = isTerminator(payload) ? (state.deprecateEof ? "ok" : "eof") : null;
  switch (state.phase.kind) {
    case "first":
      if (state.expect === "prepare") return null;
      if (header === ResponseHeader.Ok) return "ok";
      if (state.expect === "single") return header === ResponseHeader.Eof ? "eof" : null;
      return state.expect === "field-list" ? terminator : null;
    case "columns-eof":
      return isTerminator(payload) ? "eof" : null;
    case "rows":
      return terminator;
    default:
      return null;
  }
}

export function trackFrame(state: TrackerState, frame: FrameView): TrackerState {
  if (state.continuation) {
    return frame.continues ? state : withContinuation(state, false);
  }
  let next: TrackerState;
  try {
    next = step(state, frame.payload);
  } catch (e) {
    // a truncated OK/EOF from the server: never let backend bytes throw out of the data path
    if (e instanceof PayloadError) return violation(state, e.message);
    throw e;
  }
  if (frame.continues && !isFinished(next)) return withContinuation(next, true);
  return next;
}

const NO_CHANGES: readonly SessionChange[] = [];

type Draft = { -readonly [K in keyof TrackerState]: TrackerState[K] };

/**
 * A copy to change before returning it. Every state is built here or in startTracking, with the
 * same properties in the same order, so all have one hidden class: `{ ...state, x }` over states of
 * several shapes hits V8's slow object-clone path once the tracker has seen a few kinds of
 * response (measured: a point-select response went from 0.45 to 2.5 µs).
 */
function draft(s: TrackerState): Draft {
  return {
    expect: s.expect,
    deprecateEof: s.deprecateEof,
    phase: s.phase,
    continuation: s.continuation,
    status: s.status,
    warnings: s.warnings,
    error: s.error,
    prepared: s.prepared,
    results: s.results,
    affectedRows: s.affectedRows,
    insertId: s.insertId,
    sessionTrack: s.sessionTrack,
    changes: s.changes,
    sessionChanged: s.sessionChanged,
  };
}

function withPhase(s: TrackerState, phase: Phase): TrackerState {
  const next = draft(s);
  next.phase = phase;
  return next;
}

function withContinuation(s: TrackerState, continuation: boolean): TrackerState {
  const next = draft(s);
  next.continuation = continuation;
  return next;
}

/**
 * Folds what a closing OK (`ok`) or classic EOF says about the session into the state: only when
 * SERVER_SESSION_STATE_CHANGED is set, so the common response decodes nothing more. An EOF, or an
 * OK on a connection without SESSION_TRACK, says that something changed but not what.
 */
function noteSession(state: TrackerState, payload: Buffer, status: number, ok: boolean): TrackerState {
  if ((status & ServerStatus.SessionStateChanged) === 0) return state;
  if (!ok || !state.sessionTrack) {
    if (state.sessionChanged) return state;
    const next = draft(state);
    next.sessionChanged = true;
    return next;
  }
  const found = okSessionChanges(payload);
  const next = draft(state);
  next.changes = state.changes.length === 0 ? found : [...state.changes, ...found];
  next.sessionChanged = state.sessionChanged || changesSession(found);
  return next;
}

function violation(state: TrackerState, reason: string): TrackerState {
  return withPhase(state, { kind: "violation", reason });
}

function isTerminator(payload: Buffer): boolean {
  return payload[0] === ResponseHeader.Eof && payload.length < MAX_FRAME_PAYLOAD;
}

function finishWithError(state: TrackerState, payload: Buffer): TrackerState {
  const next = draft(state);
  next.phase = { kind: "done" };
  next.error = decodeErr(payload);
  return next;
}

/** A result ended with these flags: another result follows, or the response is complete. */
function endResult(
  state: TrackerState,
  status: number,
  warnings: number,
  affected = 0,
  insertId = 0,
): TrackerState {
  const more = (status & ServerStatus.MoreResultsExist) !== 0;
  const next = draft(state);
  next.status = status;
  next.warnings = warnings;
  next.results = state.results + 1;
  next.affectedRows = state.affectedRows + affected;
  next.insertId = insertId;
  next.phase = more ? { kind: "first" } : { kind: "done" };
  return next;
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
        return withPhase(state, { kind: "column-defs", remaining: phase.remaining - 1 });
      return withPhase(state, state.deprecateEof ? { kind: "rows" } : { kind: "columns-eof" });
    }
    case "columns-eof": {
      if (header === ResponseHeader.Err) return finishWithError(state, payload);
      if (!isTerminator(payload)) return violation(state, "expected EOF after column definitions");
      const t = decodeTerminator(payload, false);
      if (state.expect === "execute-cursor" && (t.status & ServerStatus.CursorExists) !== 0) {
        return endResult(noteSession(state, payload, t.status, false), t.status, t.warnings);
      }
      return withPhase(state, { kind: "rows" });
    }
    case "rows": {
      if (header === ResponseHeader.Err) return finishWithError(state, payload);
      if (isTerminator(payload)) {
        const t = decodeTerminator(payload, state.deprecateEof);
        return endResult(noteSession(state, payload, t.status, state.deprecateEof), t.status, t.warnings);
      }
      return state;
    }
    case "prepare-defs": {
      if (phase.remaining > 1) {
        return withPhase(state, { ...phase, remaining: phase.remaining - 1 });
      }
      if (!state.deprecateEof)
        return withPhase(state, { kind: "prepare-eof", thenColumns: phase.thenColumns });
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
    return withPhase(state, { kind: "prepare-defs", remaining: thenColumns, thenColumns: 0 });
  return withPhase(state, { kind: "done" });
}

function stepFirst(state: TrackerState, payload: Buffer, header: number): TrackerState {
  if (header === ResponseHeader.Err) return finishWithError(state, payload);
  switch (state.expect) {
    case "single":
      // COM_STATISTICS answers with a bare string; everything else with OK/EOF.
      if (header === ResponseHeader.Ok || header === ResponseHeader.Eof) {
        const isOk = header === ResponseHeader.Ok;
        const ok = isOk ? decodeOk(payload) : decodeTerminator(payload, false);
        const noted = noteSession(state, payload, ok.status, isOk);
        return { ...noted, status: ok.status, warnings: ok.warnings, phase: { kind: "done" } };
      }
      return withPhase(state, { kind: "done" });
    case "field-list": {
      if (!isTerminator(payload)) return withPhase(state, { kind: "first" });
      const t = decodeTerminator(payload, state.deprecateEof);
      return endResult(noteSession(state, payload, t.status, state.deprecateEof), t.status, 0);
    }
    case "prepare":
      return stepPrepareOk(state, payload, header);
    default:
      break;
  }
  if (header === ResponseHeader.Ok) {
    const ok = decodeOk(payload);
    return endResult(
      noteSession(state, payload, ok.status, true),
      ok.status,
      ok.warnings,
      ok.affectedRows,
      ok.lastInsertId,
    );
  }
  if (header === ResponseHeader.LocalInfile && state.expect === "result") {
    return withPhase(state, { kind: "infile" });
  }
  const r = new PayloadReader(payload);
  const columns = r.lenenc();
  if (columns === null || columns === 0) return violation(state, "invalid column count");
  return withPhase(state, { kind: "column-defs", remaining: columns });
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
  const base = draft(state);
  base.prepared = prepared;
  base.warnings = warnings;
  if (prepared.params > 0) {
    base.phase = { kind: "prepare-defs", remaining: prepared.params, thenColumns: prepared.columns };
    return base;
  }
  return afterPrepareBlock(base, prepared.columns);
}
