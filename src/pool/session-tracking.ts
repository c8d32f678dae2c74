import type { SessionEffect } from "../classifier/facts.js";
import { Capability, Command } from "../protocol/constants.js";
import type { TrackerState } from "../protocol/response-tracker.js";
import type { TrackerAdditions } from "../protocol/session-track.js";

/**
 * The session trackers Sluice needs on every backend connection (opened with
 * CLIENT_SESSION_TRACK), so the OK packet closing each response says what changed and Sluice
 * needs no extra round trip to learn it:
 * - `last_gtid` among the tracked system variables: the GTID of the session's last commit, which a
 *   causal read waits for on a replica (instead of a `SELECT @@last_gtid` after every write);
 * - `sql_mode`, plus whatever the server tracks already (MariaDB 10.11 by default: autocommit,
 *   character_set_client/connection/results, time_zone; `*` stays `*`): values a stored procedure
 *   may change behind the classifier's back;
 * - the default database (`session_track_schema`), "something changed" (`state_change`) and the
 *   transaction state (`STATE`; the server's `CHARACTERISTICS` includes it).
 *
 * Clients that negotiated SESSION_TRACK see only the entries the server's own trackers would have
 * sent them (see TrackerAdditions; the forwarder removes the rest). COM_RESET_CONNECTION puts the trackers back to the
 * server's globals, so BackendConnection.reset() sends the SET pipelined right behind the reset:
 * the same single round trip, off the client's path. The SET holds literals and only what the
 * globals lack (a server configured with these trackers needs none): a SET computed from
 * `@@global.*` at each reset measured ~130 µs more server time per reset than a literal one.
 */
export interface TrackerGlobals {
  /** comma-separated, as the server prints it (or `*`) */
  readonly systemVariables: string;
  readonly schema: boolean;
  readonly stateChange: boolean;
  /** OFF, STATE or CHARACTERISTICS */
  readonly transactionInfo: string;
}

/**
 * Reads the server's tracker globals (a SHOW, not a SELECT: the Com_select counters tests and
 * users watch stay the client's own).
 */
export const TRACKER_GLOBALS_SQL = "SHOW GLOBAL VARIABLES LIKE 'session\\_track\\_%'";

/** The globals from SHOW GLOBAL VARIABLES rows (name, value); null when one is missing. */
export function parseTrackerGlobals(rows: readonly (readonly (string | null)[])[]): TrackerGlobals | null {
  const value = (name: string) => rows.find((r) => r[0]?.toLowerCase() === name)?.[1] ?? undefined;
  const systemVariables = value("session_track_system_variables");
  const schema = value("session_track_schema");
  const stateChange = value("session_track_state_change");
  const transactionInfo = value("session_track_transaction_info");
  if (
    systemVariables === undefined ||
    schema === undefined ||
    stateChange === undefined ||
    transactionInfo === undefined
  )
    return null;
  return {
    systemVariables,
    schema: isOn(schema),
    stateChange: isOn(stateChange),
    transactionInfo: transactionInfo.toUpperCase(),
  };
}

function isOn(value: string): boolean {
  return /^(on|1|true)$/i.test(value.trim());
}

/** Variables Sluice wants tracked on top of the server's list. */
const WANTED_VARIABLES = ["last_gtid", "sql_mode"];

/** What trackingStatement(globals) adds; null when it adds nothing. */
export function additionsBeyond(globals: TrackerGlobals): TrackerAdditions | null {
  const variables = new Set<string>();
  if (globals.systemVariables.trim() !== "*") {
    const have = globals.systemVariables.split(",").map((n) => n.trim().toLowerCase());
    for (const n of WANTED_VARIABLES) if (!have.includes(n)) variables.add(n);
  }
  const additions = {
    variables,
    schema: !globals.schema,
    stateChange: !globals.stateChange,
    transactionState: globals.transactionInfo !== "STATE" && globals.transactionInfo !== "CHARACTERISTICS",
  };
  const none =
    variables.size === 0 && !additions.schema && !additions.stateChange && !additions.transactionState;
  return none ? null : additions;
}

/** The SET that turns on what Sluice needs beyond the server's globals; null when they have it all. */
export function trackingStatement(globals: TrackerGlobals): string | null {
  const assignments: string[] = [];
  if (globals.systemVariables.trim() !== "*") {
    const have = globals.systemVariables
      .split(",")
      .map((n) => n.trim().toLowerCase())
      .filter((n) => n !== "");
    const missing = WANTED_VARIABLES.filter((n) => !have.includes(n));
    if (missing.length > 0) {
      const list = [...have, ...missing].filter((n) => /^[a-z0-9_]+$/.test(n)).join(",");
      assignments.push(`session_track_system_variables = '${list}'`);
    }
  }
  if (!globals.schema) assignments.push("session_track_schema = ON");
  if (!globals.stateChange) assignments.push("session_track_state_change = ON");
  if (globals.transactionInfo !== "STATE" && globals.transactionInfo !== "CHARACTERISTICS")
    assignments.push("session_track_transaction_info = STATE");
  return assignments.length === 0 ? null : `SET ${assignments.join(", ")}`;
}

/**
 * What must run right behind each COM_RESET_CONNECTION: Sluice's trackers (`tracking`, from
 * trackingStatement) and what the reset takes from the handshake. A connection opened with
 * CLIENT_IGNORE_SPACE starts with IGNORE_SPACE in its sql_mode; the reset puts the global sql_mode
 * back without it, so it is added again. Null: a bare reset is enough.
 */
export function afterResetStatement(tracking: string | null, capabilities: number): string | null {
  const ignoreSpace =
    (capabilities & Capability.IgnoreSpace) === 0
      ? null
      : "sql_mode = CONCAT_WS(',', NULLIF(@@session.sql_mode, ''), 'IGNORE_SPACE')";
  if (ignoreSpace === null) return tracking;
  return tracking === null ? `SET ${ignoreSpace}` : `${tracking}, ${ignoreSpace}`;
}

export function queryPayload(sql: string): Buffer {
  return Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
}

/** Effects whose state outlives the statement (the others undo state, or are the database). */
const LEAVES_STATE = new Set<SessionEffect["kind"]>([
  "set_autocommit",
  "set_transaction",
  "set_variable",
  "set_names",
  "set_charset",
  "user_variable",
  "create_temporary_table",
  "lock_tables",
  "get_lock",
  "prepare",
]);

/** Whether a statement (by the names its SET assigns) changes the trackers Sluice relies on. */
export function setsSessionTracking(variableName: string): boolean {
  return variableName.toLowerCase().startsWith("session_track_");
}

/**
 * What Sluice knows of one backend connection's session from the server's trackers: whether they
 * are Sluice's, the default database, and whether anything a reset would undo has changed.
 */
export class TrackedSession {
  /** the server took Sluice's trackers when the connection opened (they are set again after resets) */
  available = false;
  /** Sluice's trackers are in force: off until enabled, after a client's own COM_RESET_CONNECTION
   *  and after a statement that set session_track_* itself */
  active = false;
  /** the default database as the server last reported it (COM_RESET_CONNECTION keeps it) */
  schema: string | null = null;
  private changed = false;

  /**
   * Something other than the default database and last_gtid changed since the connection was
   * opened or last reset; always true while the trackers are not Sluice's (nothing would say).
   */
  get changedSinceClean(): boolean {
    return !this.active || this.changed;
  }

  /** Opened or reset, with Sluice's trackers (re)enabled. */
  clean(trackersOn: boolean): void {
    this.active = trackersOn;
    this.changed = false;
  }

  /**
   * What the classifier saw a statement run here do. Effects that leave state behind count as
   * changes even when no tracker reports them (GET_LOCK is not reported at all); a SET of
   * session_track_* means the trackers may no longer be Sluice's.
   */
  sawEffects(effects: readonly SessionEffect[]): void {
    for (const e of effects) {
      if (LEAVES_STATE.has(e.kind)) this.changed = true;
      if (e.kind === "set_variable" && setsSessionTracking(e.name)) this.active = false;
    }
  }

  /** Sluice itself sent a statement that sets session_track_* (replaying the session's own SET). */
  trackersChanged(): void {
    this.active = false;
  }

  /** What one finished command's response says. */
  observe(command: number, state: TrackerState): void {
    if (state.sessionChanged) this.changed = true;
    for (const c of state.changes) if (c.kind === "schema") this.schema = c.schema === "" ? null : c.schema;
    if (state.error !== undefined) return;
    switch (command) {
      case Command.ResetConnection:
        // the server's default trackers from now on (Sluice's own reset re-enables its own)
        this.active = false;
        break;
      case Command.StmtPrepare:
      case Command.SetOption:
        // a server-side statement / a connection option: reported later or not at all
        this.changed = true;
        break;
      default:
        break;
    }
  }
}
