/**
 * The state of one client session as routing sees it, and how each statement changes it. Pure:
 * `serve` feeds it the classifier's facts of every statement it forwards (and corrects it from
 * the server's status flags); `dry-run` feeds it the statements of a query log. Both then ask
 * `sessionFacts(state)` what the policy may know, so a statement is routed the same way by both.
 *
 * The model follows MariaDB's rules: BEGIN / START TRANSACTION, COMMIT / ROLLBACK (AND CHAIN,
 * RELEASE), XA; autocommit=0 opens a transaction at the first statement that touches a table;
 * statements with an implicit commit (DDL, LOCK TABLES, SET autocommit=1, …) end the open one;
 * `SET TRANSACTION READ ONLY` applies to the next transaction only, `SET SESSION TRANSACTION` to
 * all later ones.
 */
import { classifyCached } from "../classifier/cache.js";
import type { Facts, SessionEffect } from "../classifier/facts.js";
import type { SessionFacts } from "../policy/session-facts.js";
import type { HeldUserVariables } from "./held-user-variables.js";

/** Why a session must stay on the backend connection it has. */
export const PIN_REASONS = ["lock_tables", "named_lock", "prepared_statement", "temporary_table"] as const;
export type PinReason = (typeof PIN_REASONS)[number];

export interface SessionState {
  readonly user: string;
  readonly clientAddress: string;
  readonly schema: string | null;
  readonly autocommit: boolean;
  readonly inTransaction: boolean;
  readonly readOnlyTransaction: boolean;
  /** `SET TRANSACTION READ ONLY|READ WRITE`, pending for the next transaction */
  readonly nextTransactionReadOnly: boolean | null;
  /** `SET SESSION TRANSACTION READ ONLY` (or tx_read_only / transaction_read_only) */
  readonly sessionReadOnly: boolean;
  /** lower-case names of temporary tables created and not dropped */
  readonly temporaryTables: readonly string[];
  readonly lockTables: boolean;
  /** GET_LOCK calls not known to be released */
  readonly namedLocks: number;
  /**
   * prepared statements that pin the session: binary-protocol ones with server-side state
   * (`#id`), and SQL-level `PREPARE name FROM @var`, whose text Sluice cannot know
   */
  readonly preparedStatements: readonly string[];
  /**
   * SQL-level `PREPARE name FROM '…'` with known text: not a pin (the PREPARE is replayed on any
   * connection the session moves to), and each `EXECUTE name` is routed by this statement's facts
   */
  readonly sqlPrepared: ReadonlyMap<string, Facts>;
  /** the pool the previous statement ran on */
  readonly previousPool: string | null;
  /** user variables whose values only one backend connection has (serve sets it, see session-router) */
  readonly heldUserVariables: HeldUserVariables | null;
}

export interface SessionStart {
  readonly user: string;
  readonly clientAddress: string;
  readonly schema: string | null;
}

export function initialSessionState(start: SessionStart): SessionState {
  return {
    user: start.user,
    clientAddress: start.clientAddress,
    schema: start.schema,
    autocommit: true,
    inTransaction: false,
    readOnlyTransaction: false,
    nextTransactionReadOnly: null,
    sessionReadOnly: false,
    temporaryTables: [],
    lockTables: false,
    namedLocks: 0,
    preparedStatements: [],
    sqlPrepared: new Map(),
    previousPool: null,
    heldUserVariables: null,
  };
}

/** The reasons the session is pinned to its connection, in PIN_REASONS order. */
export function pinReasons(state: SessionState): PinReason[] {
  const reasons: PinReason[] = [];
  if (state.lockTables) reasons.push("lock_tables");
  if (state.namedLocks > 0) reasons.push("named_lock");
  if (state.preparedStatements.length > 0) reasons.push("prepared_statement");
  if (state.temporaryTables.length > 0) reasons.push("temporary_table");
  return reasons;
}

/** `pinReasons(state).length > 0`, without building the list (called once per statement). */
export function isPinned(state: SessionState): boolean {
  return (
    state.lockTables ||
    state.namedLocks > 0 ||
    state.preparedStatements.length > 0 ||
    state.temporaryTables.length > 0
  );
}

/** What the policy may know of the session; `previousPool` overrides the state's own (dry-run
 *  decides under several policies, each with its own previous pool, over one session state). */
export function sessionFacts(
  state: SessionState,
  previousPool: string | null = state.previousPool,
): SessionFacts {
  return {
    inTransaction: state.inTransaction,
    readOnlyTransaction: state.inTransaction && state.readOnlyTransaction,
    autocommit: state.autocommit,
    user: state.user,
    clientAddress: state.clientAddress,
    schema: state.schema,
    temporaryTables: state.temporaryTables,
    pinned: isPinned(state),
    previousPool,
  };
}

/** COM_INIT_DB (or the database of a COM_CHANGE_USER). */
export function withSchema(state: SessionState, schema: string | null): SessionState {
  return state.schema === schema ? state : { ...state, schema };
}

/** Records where the statement just routed ran. */
export function withPreviousPool(state: SessionState, pool: string | null): SessionState {
  return state.previousPool === pool ? state : { ...state, previousPool: pool };
}

/** Kinds that never open an implicit transaction under autocommit=0, even when they name tables. */
const NO_IMPLICIT_BEGIN = new Set<Facts["family"]>(["transaction", "session", "ddl", "account", "admin"]);

/** The session after the statement described by `facts` ran (successfully). */
export function nextSessionState(state: SessionState, facts: Facts): SessionState {
  let s = state;
  if (facts.implicitCommit && s.inTransaction) s = endTransaction(s);
  const t = facts.transaction;
  if (t !== null) {
    switch (t.kind) {
      case "begin":
        s = {
          ...s,
          inTransaction: true,
          readOnlyTransaction: t.readOnly ?? s.nextTransactionReadOnly ?? s.sessionReadOnly,
          nextTransactionReadOnly: null,
          lockTables: false, // START TRANSACTION releases table locks
        };
        break;
      case "commit":
      case "rollback":
        s = t.chain
          ? { ...s, inTransaction: true, readOnlyTransaction: s.readOnlyTransaction }
          : endTransaction(s);
        break;
      case "xa":
        if (t.action === "start") s = { ...s, inTransaction: true, readOnlyTransaction: false };
        else if (t.action === "commit" || t.action === "rollback") s = endTransaction(s);
        break;
      default:
      // savepoints change nothing routing can see
    }
  }
  for (const effect of facts.sessionEffects) s = applyEffect(s, effect);
  s = trackSqlPrepared(s, facts, classifyCached);
  if (
    !s.autocommit &&
    !s.inTransaction &&
    t === null &&
    !facts.implicitCommit &&
    facts.tables.length > 0 &&
    !NO_IMPLICIT_BEGIN.has(facts.family)
  ) {
    s = {
      ...s,
      inTransaction: true,
      readOnlyTransaction: s.nextTransactionReadOnly ?? s.sessionReadOnly,
      nextTransactionReadOnly: null,
    };
  }
  return s;
}

/**
 * The session after the statement described by `facts` failed: a failed `PREPARE name` leaves no
 * statement of that name (the server drops the old one first), so nothing pins or routes for it.
 */
export function failedSessionState(state: SessionState, facts: Facts): SessionState {
  if (facts.kind !== "prepare") return state;
  let s = state;
  for (const e of facts.sessionEffects) {
    if (e.kind !== "prepare") continue;
    const name = e.name.toLowerCase();
    if (s.sqlPrepared.has(name)) {
      const sqlPrepared = new Map(s.sqlPrepared);
      sqlPrepared.delete(name);
      s = { ...s, sqlPrepared };
    }
    if (s.preparedStatements.includes(name))
      s = { ...s, preparedStatements: s.preparedStatements.filter((n) => n !== name) };
  }
  return s;
}

function endTransaction(s: SessionState): SessionState {
  return s.inTransaction || s.readOnlyTransaction
    ? { ...s, inTransaction: false, readOnlyTransaction: false }
    : s;
}

function applyEffect(s: SessionState, e: SessionEffect): SessionState {
  switch (e.kind) {
    case "use":
      return withSchema(s, e.schema);
    case "set_autocommit":
      if (e.value === null) return s; // SET autocommit = @v: unknown, keep what we had
      // turning autocommit on commits the open transaction
      return e.value ? { ...endTransaction(s), autocommit: true } : { ...s, autocommit: false };
    case "set_transaction":
      if (e.scope === "next") return e.readOnly === null ? s : { ...s, nextTransactionReadOnly: e.readOnly };
      if (e.scope === "session" && e.readOnly !== null) return { ...s, sessionReadOnly: e.readOnly };
      return s;
    case "set_variable":
      if (e.scope === "session" && (e.name === "tx_read_only" || e.name === "transaction_read_only")) {
        const on = readBoolean(e.valueText);
        return on === null ? s : { ...s, sessionReadOnly: on };
      }
      return s;
    case "create_temporary_table": {
      const name = e.table.name.toLowerCase();
      return s.temporaryTables.includes(name) ? s : { ...s, temporaryTables: [...s.temporaryTables, name] };
    }
    case "drop_table": {
      // DROP TABLE drops a temporary table of that name first, when there is one
      const dropped = new Set(e.tables.map((t) => t.name.toLowerCase()));
      const left = s.temporaryTables.filter((n) => !dropped.has(n));
      return left.length === s.temporaryTables.length ? s : { ...s, temporaryTables: left };
    }
    case "lock_tables":
      return { ...s, lockTables: true };
    case "unlock_tables":
      return s.lockTables ? { ...s, lockTables: false } : s;
    case "get_lock":
      return { ...s, namedLocks: s.namedLocks + 1 };
    case "release_lock":
      return { ...s, namedLocks: e.all ? 0 : Math.max(0, s.namedLocks - 1) };
    case "prepare": {
      const name = e.name.toLowerCase();
      return s.preparedStatements.includes(name)
        ? s
        : { ...s, preparedStatements: [...s.preparedStatements, name] };
    }
    case "deallocate": {
      const name = e.name.toLowerCase();
      return { ...s, preparedStatements: s.preparedStatements.filter((n) => n !== name) };
    }
    case "set_names":
    case "set_charset":
    case "user_variable":
      return s;
  }
}

function readBoolean(text: string): boolean | null {
  const v = text
    .trim()
    .toLowerCase()
    .replace(/^'(.*)'$/, "$1");
  if (v === "1" || v === "on" || v === "true") return true;
  if (v === "0" || v === "off" || v === "false") return false;
  return null;
}

/**
 * The facts a statement is routed by: an `EXECUTE name` of an SQL-level statement prepared from
 * known text is routed as that statement (a prepared SELECT may read from a replica); anything
 * else by its own facts.
 */
export function routingFacts(state: SessionState, facts: Facts, sql: string): Facts {
  if (facts.kind !== "execute" || state.sqlPrepared.size === 0) return facts;
  const name = executedName(sql);
  const prepared = name === null ? undefined : state.sqlPrepared.get(name);
  if (prepared === undefined) return facts;
  // `EXECUTE s USING @a` reads @a itself
  const own = facts.userVariables ?? [];
  if (own.length === 0) return prepared;
  const reads = prepared.userVariables ?? [];
  return { ...prepared, userVariables: [...reads, ...own.filter((n) => !reads.includes(n))] };
}

/** `EXECUTE name …` → name (lower-case), or null. */
function executedName(sql: string): string | null {
  const m = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*EXECUTE\s+(?:`([^`]+)`|([A-Za-z0-9_$]+))/i.exec(sql);
  const name = m?.[1] ?? m?.[2];
  return name === undefined ? null : name.toLowerCase();
}

/** PREPARE from known text becomes replayable instead of a pin; DEALLOCATE forgets it. */
function trackSqlPrepared(s: SessionState, facts: Facts, classifyText: (sql: string) => Facts): SessionState {
  let next = s;
  for (const e of facts.sessionEffects) {
    if (e.kind === "prepare" && facts.preparedSql !== null && facts.preparedSql !== undefined) {
      const name = e.name.toLowerCase();
      const sqlPrepared = new Map(next.sqlPrepared);
      sqlPrepared.set(name, classifyText(facts.preparedSql));
      next = { ...next, sqlPrepared, preparedStatements: next.preparedStatements.filter((n) => n !== name) };
    } else if (e.kind === "prepare" || e.kind === "deallocate") {
      const name = e.name.toLowerCase();
      if (next.sqlPrepared.has(name)) {
        const sqlPrepared = new Map(next.sqlPrepared);
        sqlPrepared.delete(name);
        next = { ...next, sqlPrepared };
      }
    }
  }
  return next;
}
