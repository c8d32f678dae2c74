import type { Facts, SameConnectionNeed } from "../classifier/facts.js";
import { BUILTIN_FUNCTIONS } from "../classifier/functions.js";
import { tokenize } from "../classifier/tokenizer.js";
import { Tok } from "../classifier/tokens.js";
import type { KnownResults } from "./result-substitution.js";

/**
 * The results of earlier statements a later one can read, per session, as one MariaDB server
 * keeps them: LAST_INSERT_ID() (until a statement generates an id or calls LAST_INSERT_ID(x)),
 * FOUND_ROWS() (until the next SELECT or SHOW), ROW_COUNT() (every statement) and the
 * diagnostics area (SHOW WARNINGS/ERRORS, @@warning_count, GET DIAGNOSTICS: replaced by a
 * statement that reads a table or raises a condition). Values live as long as the server would
 * keep them, not one statement.
 *
 * Each lives in one of three places. `value`: Sluice knows it (from the response, or read off the
 * connection before letting it go) and can give it on any connection. `connection`: only the
 * connection the session holds (lease `epoch`) has it, so a statement reading it runs there, and
 * Sluice reads it off (`captureSql`) before the session gives that connection up. `gone`: the
 * connection died with it; a read gets error 1105, never another connection's value.
 */
export type Place<V> =
  /** `live`: the lease whose connection answers this same value now, if any */
  | { readonly at: "value"; readonly value: V; readonly live?: number }
  | { readonly at: "connection"; readonly epoch: number }
  | { readonly at: "gone" };

/** One row of SHOW WARNINGS. */
export interface Condition {
  readonly level: string;
  readonly code: number;
  readonly message: string;
}

export interface SessionResults {
  readonly lastInsertId: Place<string>;
  readonly foundRows: Place<string>;
  readonly rowCount: Place<string>;
  readonly diagnostics: Place<readonly Condition[]>;
}

/**
 * What a new session starts with. FOUND_ROWS() of a new server connection is whatever its reused
 * server thread last counted for another connection (no one-server answer exists before a SELECT);
 * 1 is what a fresh thread gave when measured.
 */
export const INITIAL_RESULTS: SessionResults = {
  lastInsertId: { at: "value", value: "0" },
  foundRows: { at: "value", value: "1" },
  rowCount: { at: "value", value: "0" },
  diagnostics: { at: "value", value: [] },
};

/** How a forwarded statement ended, as far as its results go. */
export interface StatementOutcome {
  readonly ok: boolean;
  /** rows the response carried (a result set), or null when unknown */
  readonly rows: number | null;
  /** affected rows of the final OK packet, or null when unknown */
  readonly affectedRows: number | null;
  /** last_insert_id of the final OK packet, or null when unknown */
  readonly insertId: number | null;
  readonly warnings: number;
}

/** Needs that read the results this model keeps (others, e.g. @@last_gtid, stay where they are). */
const RESULT_NEEDS: ReadonlySet<SameConnectionNeed> = new Set<SameConnectionNeed>([
  "found_rows",
  "last_insert_id",
  "row_count",
  "warnings",
  "errors",
  "diagnostics",
]);

export function isResultNeed(need: SameConnectionNeed): boolean {
  return RESULT_NEEDS.has(need);
}

const CONNECTION = (epoch: number) => ({ at: "connection", epoch }) as const;

/** Statements whose outcome Sluice cannot read statement by statement (procedures, batches). */
function opaque(facts: Facts): boolean {
  return (
    facts.parse !== "ok" ||
    (facts.statementCount ?? 1) > 1 ||
    facts.kind === "call" ||
    facts.kind === "multi_statement" ||
    facts.kind === "execute"
  );
}

/** Answers with rows (ROW_COUNT() -1 afterwards) rather than an OK packet. */
function givesRows(facts: Facts): boolean {
  if (facts.kind === "select")
    return !facts.sessionEffects.some((e) => e.kind === "user_variable" && e.how === "select_into");
  return facts.kind.startsWith("show_") || facts.kind === "explain" || facts.kind === "describe";
}

/** Statement kinds measured to leave FOUND_ROWS() alone (MariaDB 10.11). */
const KEEPS_FOUND_ROWS = new Set<Facts["kind"]>([
  "insert",
  "update",
  "delete",
  "replace",
  "set",
  "set_names",
  "set_charset",
  "do",
  "begin",
  "commit",
  "rollback",
  "savepoint",
  "release_savepoint",
  "rollback_to_savepoint",
  "explain",
  "use",
]);

const SUBQUERY = /\bselect\b/i;
const COUNT_FORM = /\bcount\s*\(\s*\*\s*\)/i;

function notLive<V>(p: Place<V>): Place<V> {
  return p.at === "value" && p.live !== undefined ? { at: "value", value: p.value } : p;
}

/** The session's results after a statement ran on the connection of lease `epoch`. */
export function afterStatementResults(
  r: SessionResults,
  facts: Facts,
  sql: string,
  outcome: StatementOutcome,
  epoch: number,
): SessionResults {
  const here = CONNECTION(epoch);
  if (opaque(facts)) return { lastInsertId: here, foundRows: here, rowCount: here, diagnostics: here };
  const producesId =
    facts.produces.includes("insert_id") ||
    // a stored function may call LAST_INSERT_ID(x)
    facts.functions.some((f) => !BUILTIN_FUNCTIONS.has(f)) ||
    facts.kind === "load_data";
  let lastInsertId = r.lastInsertId;
  if (producesId) {
    const id = outcome.ok ? insertIdFromOk(facts, sql, outcome.insertId) : null;
    lastInsertId =
      id === "unchanged" ? r.lastInsertId : id === null ? here : { at: "value", value: id, live: epoch };
  }

  let foundRows = r.foundRows;
  if (outcome.ok) {
    if (facts.kind === "show_warnings" || facts.kind === "show_errors")
      // measured: SHOW WARNINGS/ERRORS leave FOUND_ROWS() alone, the COUNT(*) forms make it 1;
      // the connection may have run Sluice's SELECT in their place, so it no longer has it
      foundRows = COUNT_FORM.test(sql) ? { at: "value", value: "1", live: epoch } : notLive(r.foundRows);
    else if (facts.produces.includes("calc_found_rows")) foundRows = here;
    else if (givesRows(facts) && outcome.rows !== null && facts.kind !== "explain")
      foundRows = { at: "value", value: String(outcome.rows), live: epoch };
    // a subquery counts rows too (`SET @n = (SELECT COUNT(*) …)` leaves FOUND_ROWS() 1)
    else if ((!KEEPS_FOUND_ROWS.has(facts.kind) && facts.family !== "ddl") || SUBQUERY.test(sql))
      foundRows = here;
  }

  let rowCount: Place<string> = here;
  if (!outcome.ok || givesRows(facts)) rowCount = { at: "value", value: "-1", live: epoch };
  else if (outcome.affectedRows !== null)
    rowCount = { at: "value", value: String(outcome.affectedRows), live: epoch };

  let diagnostics = r.diagnostics;
  if (facts.kind === "show_warnings" || facts.kind === "show_errors" || facts.kind === "get_diagnostics") {
    // diagnostic statements read the area and leave it as it was
  } else if (!outcome.ok || outcome.warnings > 0) {
    diagnostics = here;
  } else if (facts.tables.length > 0) {
    diagnostics = { at: "value", value: [], live: epoch };
  }
  return { lastInsertId, foundRows, rowCount, diagnostics };
}

/**
 * Sluice ran statements of its own on the connection of lease `epoch` (a sync's SET, a capture's
 * SELECT): it no longer answers the session's FOUND_ROWS() and ROW_COUNT().
 */
export function sluiceRanOn(r: SessionResults, epoch: number): SessionResults {
  const stale = <V>(p: Place<V>): Place<V> =>
    p.at === "value" && p.live === epoch ? { at: "value", value: p.value } : p;
  const foundRows = stale(r.foundRows);
  const rowCount = stale(r.rowCount);
  return foundRows === r.foundRows && rowCount === r.rowCount ? r : { ...r, foundRows, rowCount };
}

/**
 * Whether every earlier result `facts` reads, but LAST_INSERT_ID() (which can be set anywhere),
 * is answered by the connection of lease `epoch` as it is: a statement whose text cannot change
 * (a prepared one) can run there.
 */
export function othersLiveOn(r: SessionResults, facts: Facts, epoch: number | null): boolean {
  const live = <V>(p: Place<V>) =>
    epoch !== null &&
    ((p.at === "connection" && p.epoch === epoch) || (p.at === "value" && p.live === epoch));
  return facts.sameConnection.every((need) => {
    switch (need) {
      case "found_rows":
        return live(r.foundRows);
      case "row_count":
        return live(r.rowCount);
      case "warnings":
      case "errors":
      case "diagnostics":
        return live(r.diagnostics);
      default:
        return true;
    }
  });
}

/** Whether anything lives only on the connection of lease `epoch`. */
export function livesOn(r: SessionResults, epoch: number): boolean {
  return (
    onConnection(r.lastInsertId, epoch) ||
    onConnection(r.foundRows, epoch) ||
    onConnection(r.rowCount, epoch) ||
    onConnection(r.diagnostics, epoch)
  );
}

function onConnection<V>(p: Place<V>, epoch: number): boolean {
  return p.at === "connection" && p.epoch === epoch;
}

/** Reads what lives on the connection before it is given up: the scalars, then the conditions. */
export const CAPTURE_SCALARS_SQL = "SELECT LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT()";
export const CAPTURE_CONDITIONS_SQL = "SHOW WARNINGS";

export function needsConditions(r: SessionResults, epoch: number): boolean {
  return onConnection(r.diagnostics, epoch);
}

/** Folds what was read off the connection of lease `epoch` into the session's results. */
export function captured(
  r: SessionResults,
  epoch: number,
  scalars: readonly (string | null)[],
  conditions: readonly Condition[] | null,
): SessionResults {
  const take = (p: Place<string>, v: string | null | undefined): Place<string> =>
    onConnection(p, epoch) && v !== null && v !== undefined ? { at: "value", value: v } : p;
  return {
    lastInsertId: take(r.lastInsertId, scalars[0]),
    foundRows: take(r.foundRows, scalars[1]),
    rowCount: take(r.rowCount, scalars[2]),
    diagnostics:
      onConnection(r.diagnostics, epoch) && conditions !== null
        ? { at: "value", value: conditions }
        : r.diagnostics,
  };
}

/** The connection of lease `epoch` is gone: what only it had is lost. */
export function connectionLost(r: SessionResults, epoch: number): SessionResults {
  if (!livesOn(r, epoch)) return r;
  const lose = <V>(p: Place<V>): Place<V> => (onConnection(p, epoch) ? { at: "gone" } : p);
  return {
    lastInsertId: lose(r.lastInsertId),
    foundRows: lose(r.foundRows),
    rowCount: lose(r.rowCount),
    diagnostics: lose(r.diagnostics),
  };
}

/** How a statement's reads of earlier results can be served. */
export type ResultReads =
  /** nothing to do: it reads none, or all it reads lives where it runs */
  | { readonly kind: "none" }
  /** these values must be written into the statement (any connection will do then) */
  | { readonly kind: "substitute"; readonly known: KnownResults; readonly stay: boolean }
  /** the whole statement is answered from the captured diagnostics */
  | { readonly kind: "rewrite"; readonly sql: string }
  /** only the connection of the current lease has what it reads: the statement must run there */
  | { readonly kind: "stay"; readonly known: KnownResults }
  | { readonly kind: "gone"; readonly what: string }
  /** a value lives on the held connection but cannot be read there by this statement */
  | { readonly kind: "unsupported"; readonly what: string };

/**
 * How the reads of `facts` are served given the session's results and the held lease (`epoch`,
 * null when none is held).
 */
export function resultReads(r: SessionResults, facts: Facts, sql: string, epoch: number | null): ResultReads {
  const needs = facts.sameConnection.filter(isResultNeed);
  if (needs.length === 0) return { kind: "none" };
  const known: { -readonly [K in keyof KnownResults]: KnownResults[K] } = {};
  let stay = false;
  const gone: string[] = [];
  const visit = <V>(p: Place<V>, what: string, set: (v: V) => void) => {
    if (p.at === "value") set(p.value);
    else if (p.at === "gone" || p.epoch !== epoch) gone.push(what);
    else stay = true;
  };
  for (const need of needs) {
    switch (need) {
      case "found_rows":
        visit(r.foundRows, "FOUND_ROWS()", (v) => {
          known.foundRows = v;
        });
        break;
      case "row_count":
        visit(r.rowCount, "ROW_COUNT()", (v) => {
          known.rowCount = v;
        });
        break;
      case "last_insert_id":
        visit(r.lastInsertId, "LAST_INSERT_ID()", (v) => {
          known.lastInsertId = v;
        });
        break;
      default:
        visit(r.diagnostics, "the warnings and errors", (v) => {
          known.warningCount = v.length;
          known.errorCount = v.filter((c) => c.level === "Error").length;
        });
    }
  }
  if (gone.length > 0) return { kind: "gone", what: gone.join(", ") };
  const diagnosticsKnown = r.diagnostics.at === "value" ? r.diagnostics.value : null;
  const readsDiagnostics = needs.some((n) => n === "warnings" || n === "errors" || n === "diagnostics");
  if (readsDiagnostics && diagnosticsKnown !== null) {
    if (facts.kind === "show_warnings" || facts.kind === "show_errors") {
      const rewritten = showConditionsSql(facts, sql, diagnosticsKnown);
      if (rewritten === null) return { kind: "unsupported", what: "SHOW WARNINGS/ERRORS with LIMIT" };
      return { kind: "rewrite", sql: rewritten };
    }
    if (facts.kind === "get_diagnostics" && diagnosticsKnown.length > 0)
      return { kind: "unsupported", what: "GET DIAGNOSTICS of a statement on another connection" };
  }
  if (stay) return { kind: "stay", known };
  return { kind: "substitute", known, stay: false };
}

/**
 * SHOW WARNINGS / SHOW ERRORS / SHOW COUNT(*) WARNINGS|ERRORS answered from known conditions, as
 * a SELECT with the server's column names (null: a form not handled, e.g. with LIMIT).
 */
function showConditionsSql(facts: Facts, sql: string, conditions: readonly Condition[]): string | null {
  const text = sql
    .toUpperCase()
    .replace(/\s+/g, " ")
    .replace(/;\s*$/, "")
    .replace(/\( \*\)|\(\* \)|\( \* \)/g, "(*)")
    .trim();
  const errorsOnly = facts.kind === "show_errors";
  const rows = errorsOnly ? conditions.filter((c) => c.level === "Error") : conditions;
  if (/^SHOW COUNT\(\*\) (WARNINGS|ERRORS)$/.test(text)) {
    const name = errorsOnly ? "@@session.error_count" : "@@session.warning_count";
    return `SELECT (0xFFFFFFFFFFFFFFFF & ${rows.length}) AS \`${name}\``;
  }
  if (!/^SHOW (WARNINGS|ERRORS)$/.test(text)) return null;
  if (rows.length === 0) return "SELECT 'Warning' AS `Level`, 0 AS `Code`, '' AS `Message` LIMIT 0";
  return rows
    .map(
      (c) =>
        `SELECT ${quote(c.level)} AS \`Level\`, CAST(${Math.trunc(c.code)} AS UNSIGNED) AS \`Code\`, ${quote(c.message)} AS \`Message\``,
    )
    .join(" UNION ALL ");
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * LAST_INSERT_ID() after an INSERT, from its OK packet where that is provably the same value, so
 * the common write costs no query to read it back. The OK packet carries the first id the
 * statement generated (which is LAST_INSERT_ID() then), 0 when it generated none and called no
 * LAST_INSERT_ID(x) (LAST_INSERT_ID() unchanged), and otherwise the explicit value given for the
 * AUTO_INCREMENT column (LAST_INSERT_ID() unchanged, though the packet is not 0). Sluice does not
 * know which column that is, so a packet value equal to any literal of the statement, and every
 * statement whose values are not plain literals, stays unknown (null: read it off the connection).
 */
function insertIdFromOk(facts: Facts, sql: string, insertId: number | null): string | "unchanged" | null {
  if (insertId === null || (facts.kind !== "insert" && facts.kind !== "replace")) return null;
  if (facts.functions.includes("last_insert_id")) return null;
  const t = tokenize(sql);
  const digits = String(insertId);
  for (let i = 0; i < t.count; i++) {
    const kind = t.kind[i];
    const text = sql.slice(t.start[i], t.end[i]);
    if (kind === Tok.UserVar || kind === Tok.SysVar || kind === Tok.Param) return null;
    if (kind === Tok.Word) {
      const word = text.toUpperCase();
      // INSERT … SELECT and ON DUPLICATE KEY UPDATE take their values from elsewhere
      if (word === "SELECT" || word === "DUPLICATE" || word === "TABLE") return null;
    }
    if (insertId === 0) continue;
    if (
      kind === Tok.Number &&
      (/^0[xb]/i.test(text) || /[.e]/i.test(text) || BigInt(text) === BigInt(insertId))
    )
      return null;
    if (kind === Tok.String && (/^[xb]'/i.test(text) || text.includes(digits))) return null;
  }
  return insertId === 0 ? "unchanged" : digits;
}

/** The facts with the reads of earlier results taken out: the values travel in the statement. */
export function withoutResultNeeds(facts: Facts): Facts {
  const left = facts.sameConnection.filter((n) => !isResultNeed(n));
  return left.length === facts.sameConnection.length ? facts : { ...facts, sameConnection: left };
}

/** What a log replay assumes of a statement's outcome: it succeeded, and any id was generated. */
const ASSUMED_OUTCOME: StatementOutcome = { ok: true, rows: 0, affectedRows: 0, insertId: 0, warnings: 0 };

/**
 * For dry-run, which sees statements but not their answers: the results after `facts` ran,
 * assuming it succeeded, on one connection the session keeps (what lives on a connection stays
 * readable there, as with back-to-back statements under serve).
 */
export function assumedResults(r: SessionResults, facts: Facts, sql: string): SessionResults {
  return afterStatementResults(r, facts, sql, ASSUMED_OUTCOME, 1);
}

/** For dry-run: the facts `serve` would route by, given the results it would know (see assumedResults). */
export function factsGivenResults(r: SessionResults, facts: Facts, sql: string): Facts {
  const reads = resultReads(r, facts, sql, 1);
  return reads.kind === "substitute" || reads.kind === "rewrite" ? withoutResultNeeds(facts) : facts;
}
