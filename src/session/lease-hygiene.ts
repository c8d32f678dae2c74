import type { Facts } from "../classifier/facts.js";
import { BUILTIN_FUNCTIONS, SIDE_EFFECT_FUNCTIONS } from "../classifier/functions.js";
import { Command } from "../protocol/constants.js";

/**
 * What Sluice's own classification knows about the session state a lease leaves on its backend
 * connection, so that a connection going back to the pool skips COM_RESET_CONNECTION only when
 * nothing a reset would undo can have changed, and a leased connection skips COM_INIT_DB when it
 * already has the session's database.
 *
 * Safe by default: a lease starts "clean"; every command forwarded on it makes it "changed",
 * except COM_QUERY, which makes it "unvetted" until the routed path vets the statement's facts
 * (`statementVetted`). A connection Sluice knows nothing about counts as changed. Keyed by the
 * connection object, so the forwarder (which knows no leases) can mark it.
 */
type Hygiene = "clean" | "unvetted" | "changed";

/** What Sluice knows of one connection (one WeakMap lookup per call: this runs per statement). */
interface ConnHygiene {
  mark: Hygiene;
  /** the database Sluice itself selected, while nothing since can have changed it */
  schema: string | undefined;
  /** …set aside while a COM_QUERY on the connection waits to be vetted */
  unvettedSchema: string | undefined;
  /**
   * given back to the pool: the diagnostics (warnings, FOUND_ROWS(), ROW_COUNT()) are still those
   * of the previous session's last statement. Until the new holder sends a statement of its own,
   * anything reading them must first clear them. COM_RESET_CONNECTION is not enough: MariaDB
   * 10.11 keeps FOUND_ROWS() across it.
   */
  foreignDiagnostics: boolean;
  /** the last response on the connection left warnings or an error (or Sluice does not know) */
  diagnosticsMayShow: boolean;
}

const records = new WeakMap<object, ConnHygiene>();

function recordOf(conn: object): ConnHygiene {
  let record = records.get(conn);
  if (record === undefined) {
    // a connection Sluice knows nothing about counts as changed
    record = {
      mark: "changed",
      schema: undefined,
      unvettedSchema: undefined,
      foreignDiagnostics: false,
      diagnosticsMayShow: true,
    };
    records.set(conn, record);
  }
  return record;
}

/**
 * Leaves the diagnostics as a new connection's would be: no warnings, FOUND_ROWS() 0,
 * ROW_COUNT() -1. It must read a table (a derived one will do): MariaDB keeps the warnings of the
 * previous statement through a statement that uses none (`SELECT 1 LIMIT 0`, `DO 0`).
 */
export const CLEAR_DIAGNOSTICS_SQL = "SELECT 1 FROM (SELECT 1) AS sluice_clear LIMIT 0";

/** Commands that change nothing a reset would undo (COM_INIT_DB: the database is tracked apart). */
const HARMLESS = new Set<number>([Command.Ping, Command.Statistics, Command.FieldList, Command.InitDb]);

/**
 * Statement kinds that can leave no session state behind when their facts show no session effect
 * (and every SHOW). Transactions are safe because a lease is never given back for reuse inside one.
 */
const STATELESS_KINDS = new Set<Facts["kind"]>([
  "select",
  "insert",
  "update",
  "delete",
  "replace",
  "explain",
  "describe",
  "begin",
  "commit",
  "rollback",
  "savepoint",
  "release_savepoint",
  "rollback_to_savepoint",
]);

/** A lease on `conn` begins: it was reset or given back clean, so nothing is known to have changed. */
export function leaseStarted(conn: object): void {
  recordOf(conn).mark = "clean";
}

/** A client command is about to go to `conn`. */
export function commandSent(conn: object, command: number): void {
  const r = recordOf(conn);
  if (command === Command.Query || command === Command.StmtExecute) r.foreignDiagnostics = false;
  if (command === Command.Query) r.unvettedSchema = r.schema;
  if (command === Command.Query || command === Command.InitDb || !HARMLESS.has(command)) r.schema = undefined;
  if (r.mark === "changed" || HARMLESS.has(command)) return;
  r.mark = command === Command.Query ? "unvetted" : "changed";
}

/**
 * The routed path classified the COM_QUERY just sent (`facts`, or null when it sent text other
 * than the client's: a rewrite is not vetted).
 */
export function statementVetted(conn: object, facts: Facts | null): void {
  const r = recordOf(conn);
  if (r.unvettedSchema !== undefined && facts !== null && !mayChangeDatabase(facts))
    r.schema = r.unvettedSchema;
  r.unvettedSchema = undefined;
  if (r.mark === "unvetted") r.mark = facts !== null && leavesNoSessionState(facts) ? "clean" : "changed";
}

/** Sluice itself changed the session on `conn` (restoring a session's SET / replayed statements). */
export function stateChanged(conn: object): void {
  recordOf(conn).mark = "changed";
}

/** Whether the lease on `conn` may have left state that COM_RESET_CONNECTION would undo. */
export function mayHoldSessionState(conn: object): boolean {
  return recordOf(conn).mark !== "clean";
}

/** `conn` goes back to the pool: the next holder must not read its diagnostics. */
export function returned(conn: object): void {
  recordOf(conn).foreignDiagnostics = true;
}

/** Sluice ran CLEAR_DIAGNOSTICS_SQL on `conn`. */
export function diagnosticsCleared(conn: object): void {
  const r = recordOf(conn);
  r.foreignDiagnostics = false;
  r.diagnosticsMayShow = false;
}

/** A response on `conn` ended with warnings or an error (`nonEmpty`), or with neither. */
export function diagnosticsSeen(conn: object, nonEmpty: boolean): void {
  recordOf(conn).diagnosticsMayShow = nonEmpty;
}

/**
 * Whether `conn` may still show another session's diagnostics (see ConnHygiene): FOUND_ROWS() and
 * ROW_COUNT() are never read off a connection Sluice did not track for the session
 * (routing/session-results.ts), so only warnings and errors matter here.
 */
export function hasForeignDiagnostics(conn: object): boolean {
  const r = recordOf(conn);
  return r.foreignDiagnostics && r.diagnosticsMayShow;
}

/** Sluice selected `schema` on `conn` with COM_INIT_DB (kept across COM_RESET_CONNECTION). */
export function schemaSelected(conn: object, schema: string): void {
  recordOf(conn).schema = schema;
}

/** The database Sluice knows `conn` has selected, or undefined when it does not know. */
export function selectedSchema(conn: object): string | undefined {
  return recordOf(conn).schema;
}

/** Facts are shared by the classifier's cache: judge each once. */
const verdicts = new WeakMap<Facts, boolean>();

/**
 * Conservative: true only for a single, fully parsed statement of a kind that cannot set session
 * state, with no session effect, that sets no LAST_INSERT_ID() (session state a reset clears) and
 * calls only built-in functions without side effects (a stored function may set variables).
 */
export function leavesNoSessionState(facts: Facts): boolean {
  let verdict = verdicts.get(facts);
  if (verdict === undefined) {
    verdict =
      facts.parse === "ok" &&
      (facts.statementCount ?? 1) <= 1 &&
      (STATELESS_KINDS.has(facts.kind) || facts.kind.startsWith("show_")) &&
      facts.sessionEffects.length === 0 &&
      !facts.produces.includes("insert_id") &&
      facts.functions.every((f) => BUILTIN_FUNCTIONS.has(f) && !SIDE_EFFECT_FUNCTIONS.has(f));
    verdicts.set(facts, verdict);
  }
  return verdict;
}

function mayChangeDatabase(facts: Facts): boolean {
  return (
    facts.parse !== "ok" ||
    facts.kind === "drop_database" ||
    facts.kind === "call" ||
    facts.kind === "multi_statement" ||
    facts.sessionEffects.some((e) => e.kind === "use")
  );
}
