import { ResponseHeader, ServerStatus } from "./constants.js";
import { encodePacket } from "./packet-writer.js";
import { PayloadError, PayloadReader } from "./payload-reader.js";

/**
 * The session-state-change block of an OK packet (CLIENT_SESSION_TRACK, spec: "OK_Packet",
 * "Session State Information"): after the status flags and warnings, a connection with
 * SESSION_TRACK gets `info` as a length-encoded string and, when SERVER_SESSION_STATE_CHANGED is
 * set, a length-encoded block of entries `type(1) length(lenenc) data`. Pure: decoding reads only
 * OK packets, never rows.
 */

/** Entry types (enum_session_state_type; MariaDB and MySQL agree on 0–5). */
export const SessionTrackType = {
  SystemVariables: 0,
  Schema: 1,
  StateChange: 2,
  Gtids: 3,
  TransactionCharacteristics: 4,
  TransactionState: 5,
} as const;

export type SessionChange =
  /** session_track_system_variables: one variable's new value, as the server prints it */
  | { readonly kind: "system-variable"; readonly name: string; readonly value: string }
  /** session_track_schema: the new default database ("" when it was dropped) */
  | { readonly kind: "schema"; readonly schema: string }
  /** session_track_state_change: "some session state changed" (user variables, temporary tables…) */
  | { readonly kind: "state-change"; readonly changed: boolean }
  /**
   * session_track_transaction_info=STATE: 8 characters, `_` for "no":
   * [0] T explicit / I implicit transaction, [1] r non-transactional read, [2] R transactional
   * read, [3] w non-transactional write, [4] W transactional write, [5] s unsafe statement,
   * [6] S result set sent, [7] L LOCK TABLES in force
   */
  | { readonly kind: "transaction-state"; readonly state: string }
  /** session_track_transaction_info=CHARACTERISTICS: SQL that recreates the transaction's characteristics */
  | { readonly kind: "transaction-characteristics"; readonly statement: string }
  /** GTIDS (MySQL) and types this decoder does not know: kept as bytes */
  | { readonly kind: "other"; readonly type: number; readonly data: Buffer };

/** A transaction-state string says a transaction is open (started explicitly or implicitly). */
export function transactionOpen(state: string): boolean {
  return state[0] === "T" || state[0] === "I";
}

/** A transaction-state string says LOCK TABLES is in force. */
export function tablesLocked(state: string): boolean {
  return state[7] === "L";
}

/** Decodes a session-state block (the bytes inside its length prefix). Throws PayloadError when truncated. */
export function decodeSessionState(block: Buffer): SessionChange[] {
  const r = new PayloadReader(block);
  const changes: SessionChange[] = [];
  while (r.remaining > 0) {
    const type = r.u8();
    const data = lenencBytes(r);
    changes.push(...decodeEntry(type, data));
  }
  return changes;
}

function decodeEntry(type: number, data: Buffer): SessionChange[] {
  const r = new PayloadReader(data);
  switch (type) {
    case SessionTrackType.SystemVariables: {
      const out: SessionChange[] = [];
      // one name/value pair per entry in practice; read on while data remains
      while (r.remaining > 0) {
        const name = lenencBytes(r).toString("utf8");
        const value = lenencBytes(r).toString("utf8");
        out.push({ kind: "system-variable", name, value });
      }
      return out;
    }
    case SessionTrackType.Schema:
      return [{ kind: "schema", schema: lenencBytes(r).toString("utf8") }];
    case SessionTrackType.StateChange:
      // the one entry whose data is not length-encoded inside: just "1"
      return [{ kind: "state-change", changed: data.toString("latin1") === "1" }];
    case SessionTrackType.TransactionState:
      return [{ kind: "transaction-state", state: lenencBytes(r).toString("latin1") }];
    case SessionTrackType.TransactionCharacteristics:
      return [{ kind: "transaction-characteristics", statement: lenencBytes(r).toString("utf8") }];
    default:
      return [{ kind: "other", type, data }];
  }
}

function lenencBytes(r: PayloadReader): Buffer {
  const b = r.lenencBytes();
  if (b === null) throw new PayloadError("NULL length in a session-state entry");
  return b;
}

/** Where the parts of an OK packet sent on a connection with SESSION_TRACK are. */
export interface OkLayout {
  readonly status: number;
  /** offset of the status flags (2 bytes), then the warnings (2 bytes) */
  readonly statusAt: number;
  /** end of the info string (with its length prefix); equals statusAt + 4 when there is none */
  readonly infoEnd: number;
  /** length of the info text */
  readonly infoLength: number;
  /** the session-state block, when SERVER_SESSION_STATE_CHANGED is set */
  readonly state: Buffer | undefined;
}

/** Reads an OK packet (0x00, or 0xFE closing a result under DEPRECATE_EOF) of a SESSION_TRACK connection. */
export function okLayout(payload: Buffer): OkLayout {
  const r = new PayloadReader(payload, 1);
  r.lenenc(); // affected rows
  r.lenenc(); // last insert id
  const statusAt = r.offset;
  const status = r.u16();
  r.u16(); // warnings
  let infoLength = 0;
  if (r.remaining > 0) infoLength = lenencBytes(r).length;
  const infoEnd = r.offset;
  const changed = (status & ServerStatus.SessionStateChanged) !== 0;
  const state = changed && r.remaining > 0 ? lenencBytes(r) : undefined;
  return { status, statusAt, infoEnd, infoLength, state };
}

/** The session-state changes an OK packet of a SESSION_TRACK connection reports (none when the flag is clear). */
export function okSessionChanges(payload: Buffer): SessionChange[] {
  const { state } = okLayout(payload);
  return state === undefined ? [] : decodeSessionState(state);
}

/**
 * The OK packet as a client without CLIENT_SESSION_TRACK gets it from the server: the same
 * counters, status without SERVER_SESSION_STATE_CHANGED, no session-state block, and the info
 * string only when it is not empty (MariaDB writes it length-encoded either way). Returns the
 * payload itself when nothing needs to change.
 */
export function okWithoutSessionState(payload: Buffer): Buffer {
  const layout = okLayout(payload);
  if ((layout.status & ServerStatus.SessionStateChanged) === 0) return payload;
  const keep = layout.infoLength > 0 ? layout.infoEnd : layout.statusAt + 4;
  const out = Buffer.from(payload.subarray(0, keep));
  out.writeUInt16LE(layout.status & ~ServerStatus.SessionStateChanged, layout.statusAt);
  return out;
}

/**
 * What Sluice's trackers report beyond the server's own defaults (see src/pool/session-tracking.ts):
 * entries a client that negotiated SESSION_TRACK would not have got from the server.
 */
export interface TrackerAdditions {
  /** system variables Sluice added to the tracked list (lower case) */
  readonly variables: ReadonlySet<string>;
  readonly schema: boolean;
  readonly stateChange: boolean;
  readonly transactionState: boolean;
}

/**
 * The OK packet as a client with CLIENT_SESSION_TRACK gets it from a server with its default
 * trackers: the entries Sluice's own trackers added removed, and when none is left, the packet a
 * server sends when nothing it tracks changed (flag clear, no block, info only when not empty).
 * Returns the payload itself when nothing needs to change.
 */
export function okWithServerTracking(payload: Buffer, additions: TrackerAdditions): Buffer {
  const layout = okLayout(payload);
  if (layout.state === undefined) return payload;
  const kept: Buffer[] = [];
  let dropped = false;
  const r = new PayloadReader(layout.state);
  while (r.remaining > 0) {
    const from = r.offset;
    const type = r.u8();
    const data = lenencBytes(r);
    if (added(type, data, additions)) dropped = true;
    else kept.push(layout.state.subarray(from, r.offset));
  }
  if (!dropped) return payload;
  if (kept.length === 0) return okWithoutSessionState(payload);
  const block = Buffer.concat(kept);
  return Buffer.concat([payload.subarray(0, layout.infoEnd), lenencLength(block.length), block]);
}

/** Whether an entry comes from a tracker Sluice turned on (not the server's default). */
function added(type: number, data: Buffer, additions: TrackerAdditions): boolean {
  switch (type) {
    case SessionTrackType.SystemVariables: {
      if (additions.variables.size === 0) return false;
      const name = lenencBytes(new PayloadReader(data)).toString("latin1").toLowerCase();
      return additions.variables.has(name);
    }
    case SessionTrackType.Schema:
      return additions.schema;
    case SessionTrackType.StateChange:
      return additions.stateChange;
    case SessionTrackType.TransactionState:
    case SessionTrackType.TransactionCharacteristics:
      return additions.transactionState;
    default:
      return false;
  }
}

function lenencLength(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  if (n < 0x1_00_00) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  return Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]);
}

/** A classic EOF packet (0xFE, warnings, status) with SERVER_SESSION_STATE_CHANGED cleared. */
export function eofWithoutSessionState(payload: Buffer): Buffer {
  if (payload[0] !== ResponseHeader.Eof || payload.length !== 5) return payload;
  const status = payload.readUInt16LE(3);
  if ((status & ServerStatus.SessionStateChanged) === 0) return payload;
  const out = Buffer.from(payload);
  out.writeUInt16LE(status & ~ServerStatus.SessionStateChanged, 3);
  return out;
}

/**
 * Whether one OK packet's changes leave the connection's session different from a freshly
 * reset one, apart from what is followed separately: the default database (its own entry; the
 * state-change flag that comes with a USE says nothing more), `last_gtid` (every write changes
 * it) and the transaction itself (a connection is never given back with one open, and a finished
 * one leaves nothing behind); LOCK TABLES does count. An OK that sets SERVER_SESSION_STATE_CHANGED
 * with no entry at all (e.g. `SET TRANSACTION READ ONLY` under the STATE tracker) changed
 * something no tracker describes: it counts too.
 */
export function changesSession(changes: readonly SessionChange[]): boolean {
  if (changes.length === 0) return true;
  const schemaMoved = changes.some((c) => c.kind === "schema");
  for (const c of changes) {
    switch (c.kind) {
      case "system-variable":
        if (c.name !== "last_gtid") return true;
        break;
      case "schema":
        break;
      case "state-change":
        if (c.changed && !schemaMoved) return true;
        break;
      case "transaction-state":
        if (tablesLocked(c.state)) return true;
        break;
      case "transaction-characteristics":
        if (c.statement !== "") return true;
        break;
      case "other":
        return true;
    }
  }
  return false;
}

/**
 * The wire bytes of an OK or classic EOF frame (see statusFrameKind) as the client should see
 * them: without session state for a client without CLIENT_SESSION_TRACK (`additions` undefined),
 * without what Sluice's trackers added for one with it. `frame.raw` itself when nothing changes,
 * else a new frame with the same sequence id.
 *
 * A classic EOF cannot say which tracker set SERVER_SESSION_STATE_CHANGED; when Sluice added the
 * transaction-state or state-change tracker (nearly always the reason in an EOF: a statement
 * inside a transaction), the flag is cleared, as the server's default trackers leave it.
 */
export function frameForClient(
  frame: { readonly seq: number; readonly payload: Buffer; readonly raw: Buffer },
  kind: "ok" | "eof",
  additions?: TrackerAdditions,
): Buffer {
  let payload: Buffer;
  if (additions === undefined)
    payload = kind === "ok" ? okWithoutSessionState(frame.payload) : eofWithoutSessionState(frame.payload);
  else if (kind === "ok") payload = okWithServerTracking(frame.payload, additions);
  else
    payload =
      additions.transactionState || additions.stateChange
        ? eofWithoutSessionState(frame.payload)
        : frame.payload;
  return payload === frame.payload ? frame.raw : encodePacket(frame.seq, payload).bytes;
}

/** The frame for a client without CLIENT_SESSION_TRACK (see frameForClient). */
export function frameWithoutSessionState(
  frame: { readonly seq: number; readonly payload: Buffer; readonly raw: Buffer },
  kind: "ok" | "eof",
): Buffer {
  return frameForClient(frame, kind);
}
