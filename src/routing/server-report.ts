import type { Facts, StatementKind } from "../classifier/facts.js";
import { type SessionChange, tablesLocked, transactionOpen } from "../protocol/session-track.js";

/**
 * What the server's session trackers said about one statement (the session-state changes of its
 * OK packets, see src/protocol/session-track.ts), in the terms routing uses. Pure.
 */
export interface ServerReport {
  /** the GTID of the statement's last commit, when it committed anything */
  readonly lastGtid: string | null;
  /** the new default database (null: none, e.g. after DROP DATABASE of it); undefined: unchanged */
  readonly schema: string | null | undefined;
  /** whether a transaction is open after the statement; undefined: not reported */
  readonly inTransaction: boolean | undefined;
  /** LOCK TABLES is in force (only ever raised from here: FLUSH TABLES WITH READ LOCK is not reported) */
  readonly tablesLocked: boolean;
  readonly autocommit: boolean | undefined;
  /**
   * session variables (name, value as the server prints it) the statement set where the
   * classifier cannot see: in a stored procedure, an EXECUTE, one part of a multi-statement
   */
  readonly variables: readonly (readonly [string, string])[];
}

export const EMPTY_REPORT: ServerReport = {
  lastGtid: null,
  schema: undefined,
  inTransaction: undefined,
  tablesLocked: false,
  autocommit: undefined,
  variables: [],
};

/**
 * Statements whose SETs the classifier does not see. Others are left out on purpose: their SETs
 * are in the facts already (and diffed or replayed), and `SET STATEMENT … FOR` reports a value that
 * lasts for that statement only.
 */
const HIDDEN_SETTERS = new Set<StatementKind>(["call", "execute", "multi_statement"]);

/** Variables that are Sluice's business or cannot be set: never copied to other connections. */
function copyable(name: string): boolean {
  const n = name.toLowerCase();
  return n !== "last_gtid" && !n.startsWith("session_track_");
}

export function readServerReport(facts: Facts, changes: readonly SessionChange[]): ServerReport {
  if (changes.length === 0) return EMPTY_REPORT;
  let lastGtid: string | null = null;
  let schema: string | null | undefined;
  let inTransaction: boolean | undefined;
  let locked = false;
  let autocommit: boolean | undefined;
  const variables: [string, string][] = [];
  const hidden = HIDDEN_SETTERS.has(facts.kind);
  for (const c of changes) {
    switch (c.kind) {
      case "system-variable":
        if (c.name === "last_gtid") {
          if (c.value !== "") lastGtid = c.value;
        } else if (c.name === "autocommit") {
          autocommit = c.value.toUpperCase() === "ON" || c.value === "1";
        }
        if (hidden && copyable(c.name)) variables.push([c.name, c.value]);
        break;
      case "schema":
        schema = c.schema === "" ? null : c.schema;
        break;
      case "transaction-state":
        inTransaction = transactionOpen(c.state);
        locked = tablesLocked(c.state);
        break;
      default:
        break;
    }
  }
  return { lastGtid, schema, inTransaction, tablesLocked: locked, autocommit, variables };
}
