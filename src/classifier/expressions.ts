import type { FactsBuilder } from "./builder.js";
import { BUILTIN_FUNCTIONS, SIDE_EFFECT_FUNCTIONS } from "./functions.js";
import { isReserved, type Keyword } from "./keywords.js";
import { C, Op, Tok } from "./tokens.js";
import {
  isAliasAt,
  isOp,
  kindAt,
  kwAt,
  nameAt,
  readTableName,
  skipParens,
  textAt,
  type View,
} from "./view.js";

export interface ScanOptions {
  /** read table lists after FROM / JOIN */
  readonly tables: boolean;
  /** a call of a function that is not built in makes the statement a write (not for DDL bodies) */
  readonly functions: boolean;
  /** the statement is a SELECT: INTO OUTFILE / DUMPFILE / @var apply */
  readonly selectInto: boolean;
}

// reserved words that are also functions when followed by `(`
export const RESERVED_FUNCTIONS: ReadonlySet<Keyword> = new Set<Keyword>([
  "IF",
  "REPLACE",
  "INSERT",
  "LEFT",
  "RIGHT",
  "MOD",
  "DATABASE",
  "SCHEMA",
  "DEFAULT",
  "CONVERT",
  "MATCH",
  "REPEAT",
  "VALUES",
]);
// a name followed by `(` after these words is a table or index, not a call
const NOT_CALL_AFTER = new Set<Keyword>([
  "INTO",
  "TABLE",
  "INSERT",
  "REPLACE",
  "IGNORE",
  "INDEX",
  "KEY",
  "ON",
  "REFERENCES",
  "PARTITION",
  "USING",
  "JOIN",
  "FROM",
  "UPDATE",
  "DELAYED",
  "LOW_PRIORITY",
  "HIGH_PRIORITY",
  "VIEW",
  "PROCEDURE",
  "FUNCTION",
  "CALL",
  "TRIGGER",
  "EVENT",
  "SEQUENCE",
  "EXISTS",
  "KEYS",
]);
// words whose `(` holds an expression with FROM in it that is not a table list
const FROM_INSIDE = new Set<Keyword>(["EXTRACT", "TRIM", "SUBSTRING", "SUBSTR", "POSITION"]);

/**
 * One pass over tokens [from, to) collecting what any statement body may hold: tables after
 * FROM / JOIN, function calls (side effects, same-connection needs, unknown functions), system
 * and user variables, locking clauses, sequences, SQL_CALC_FOUND_ROWS and SELECT … INTO.
 */
export function scanBody(v: View, b: FactsBuilder, from: number, to: number, o: ScanOptions): void {
  const t = v.t;
  // for each open paren: does FROM inside it start a table list?
  const fromIsTable: boolean[] = [];
  let tablesNext = false;
  for (let i = from; i < to; i++) {
    const kind = t.kind[i];
    if (kind === Tok.Op) {
      const op = t.op[i];
      if (op === C.lparen) {
        const opener = i > v.from ? (t.kw[i - 1] ?? null) : null;
        fromIsTable.push(!(opener !== null && FROM_INSIDE.has(opener)));
        if (tablesNext && o.tables && kindAt(v, i + 1) !== Tok.Op && !startsQuery(v, i + 1)) {
          i = readTableList(v, b, i + 1) - 1;
        }
      } else if (op === C.rparen) {
        fromIsTable.pop();
      }
      tablesNext = false;
      continue;
    }
    tablesNext = false;
    if (kind === Tok.SysVar) {
      systemVariable(b, textAt(v, i));
      continue;
    }
    if (kind === Tok.UserVar) {
      if (isOp(v, i + 1, Op.Assign)) {
        b.sessionEffects.push({
          kind: "user_variable",
          name: userVarName(textAt(v, i)),
          how: "assign",
          valueText: null,
          literal: false,
        });
      }
      continue;
    }
    if (kind !== Tok.Word && kind !== Tok.QuotedIdent) continue;
    const kw = t.kw[i] ?? null;
    if (
      isOp(v, i + 1, C.lparen) &&
      (kind === Tok.QuotedIdent || kw === null || !isReserved(kw) || RESERVED_FUNCTIONS.has(kw))
    ) {
      call(v, b, i, o);
      continue;
    }
    if (kw === null) continue;
    switch (kw) {
      case "FROM":
      case "JOIN":
      case "STRAIGHT_JOIN":
        if (
          !o.tables ||
          (kw === "FROM" && fromIsTable.length > 0 && fromIsTable[fromIsTable.length - 1] === false)
        )
          break;
        if (isOp(v, i + 1, C.lparen)) tablesNext = true;
        else i = readTableList(v, b, i + 1) - 1;
        break;
      case "SQL_CALC_FOUND_ROWS":
        b.produce("calc_found_rows");
        break;
      case "FOR":
        if (kwAt(v, i + 1) === "UPDATE") b.locking = "for_update";
        else if (kwAt(v, i + 1) === "SHARE") b.locking = "for_share";
        break;
      case "LOCK":
        if (kwAt(v, i + 1) === "IN" && kwAt(v, i + 2) === "SHARE" && kwAt(v, i + 3) === "MODE") {
          b.locking = "lock_in_share_mode";
        }
        break;
      case "NOWAIT":
        b.lockWait = "nowait";
        break;
      case "SKIP":
        if (kwAt(v, i + 1) === "LOCKED") b.lockWait = "skip_locked";
        break;
      case "WAIT":
        if (kindAt(v, i + 1) === Tok.Number) b.lockWait = "timeout";
        break;
      case "NEXT":
      case "PREVIOUS":
        if (kwAt(v, i + 1) === "VALUE" && kwAt(v, i + 2) === "FOR") {
          const seq = readTableName(v, i + 3);
          if (kw === "NEXT") {
            b.writes = true;
            b.addFunction("nextval");
          } else {
            b.need("sequence_lastval");
            b.addFunction("lastval");
          }
          if (seq !== null) b.addTable(seq.ref, kw === "NEXT");
        }
        break;
      case "INTO":
        if (o.selectInto) i = selectInto(v, b, i) - 1;
        break;
    }
  }
}

function startsQuery(v: View, i: number): boolean {
  const k = kwAt(v, i);
  return k === "SELECT" || k === "WITH" || k === "VALUES" || k === "TABLE" || isOp(v, i, C.lparen);
}

/** A comma-separated list of table references starting at i; returns the index after it. */
export function readTableList(v: View, b: FactsBuilder, i: number, written = false): number {
  while (i < v.to) {
    if (kwAt(v, i) === "DUAL") return i + 1;
    const name = readTableName(v, i);
    if (name === null || isOp(v, name.next, C.lparen)) return i; // subquery, table function, …
    b.addTable(name.ref, written);
    i = skipTableSuffix(v, name.next);
    if (!isOp(v, i, C.comma)) return i;
    i++;
  }
  return i;
}

/** Skip what may follow a table name in a reference: PARTITION (…), [AS] alias, index hints. */
export function skipTableSuffix(v: View, i: number): number {
  if (kwAt(v, i) === "PARTITION" && isOp(v, i + 1, C.lparen)) i = skipParens(v, i + 1);
  if (kwAt(v, i) === "AS") i += 2;
  else if (isAliasAt(v, i) && !isOp(v, i + 1, C.dot)) i++;
  for (;;) {
    const k = kwAt(v, i);
    if (k !== "USE" && k !== "FORCE" && k !== "IGNORE") return i;
    const k2 = kwAt(v, i + 1);
    if (k2 !== "INDEX" && k2 !== "KEY") return i;
    let j = i + 2;
    if (kwAt(v, j) === "FOR") {
      j++;
      if (kwAt(v, j) === "ORDER" || kwAt(v, j) === "GROUP") j++;
      j++;
    }
    if (!isOp(v, j, C.lparen)) return i;
    i = skipParens(v, j);
  }
}

function call(v: View, b: FactsBuilder, i: number, o: ScanOptions): void {
  // schema-qualified: db.f(…) is always a stored function
  const qualified = i - 2 >= v.from && isOp(v, i - 1, C.dot) && nameAt(v, i - 2) !== null;
  const nameStart = qualified ? i - 2 : i;
  const before = nameStart > v.from ? kwAt(v, nameStart - 1) : null;
  if (before !== null && NOT_CALL_AFTER.has(before)) return;
  if (nameStart > v.from && isOp(v, nameStart - 1, C.dot)) return; // a.b.c(: not a call we know
  // WITH cte(a, b) AS (…): a column list, not a call
  const close = skipParens(v, i + 1);
  if (!qualified && kwAt(v, close) === "AS" && isOp(v, close + 1, C.lparen)) return;
  // INSERT … VALUES (…): a row; VALUES(col) is a function only inside ON DUPLICATE KEY UPDATE
  const kw = kwAt(v, i);
  if (
    (kw === "VALUES" || kw === "VALUE") &&
    !(i > v.from && kindAt(v, i - 1) === Tok.Op && !isOp(v, i - 1, C.rparen))
  )
    return;
  const base = (nameAt(v, i) ?? "").toLowerCase();
  const name = qualified ? `${(nameAt(v, i - 2) ?? "").toLowerCase()}.${base}` : base;
  b.addFunction(name);
  if (qualified || v.t.kind[i] === Tok.QuotedIdent || !BUILTIN_FUNCTIONS.has(name)) {
    if (o.functions) b.writes = true;
    return;
  }
  if (SIDE_EFFECT_FUNCTIONS.has(name)) {
    b.writes = true;
    if (name === "get_lock") b.sessionEffects.push({ kind: "get_lock" });
    else if (name === "release_lock") b.sessionEffects.push({ kind: "release_lock", all: false });
    else if (name === "release_all_locks") b.sessionEffects.push({ kind: "release_lock", all: true });
    return;
  }
  switch (name) {
    case "found_rows":
      b.need("found_rows");
      break;
    case "last_insert_id":
      if (isOp(v, i + 2, C.rparen)) b.need("last_insert_id");
      else b.produce("insert_id");
      break;
    case "row_count":
      b.need("row_count");
      break;
    case "lastval":
      b.need("sequence_lastval");
      break;
  }
}

/** SELECT … INTO OUTFILE 'f' | DUMPFILE 'f' | @a, @b | local_var; returns the index after it. */
function selectInto(v: View, b: FactsBuilder, i: number): number {
  const k = kwAt(v, i + 1);
  if (k === "OUTFILE" || k === "DUMPFILE") {
    const keep = { sessionEffects: b.sessionEffects.length };
    b.setKind("select_into_file");
    b.sessionEffects.length = keep.sessionEffects;
    return i + 2;
  }
  let j = i + 1;
  while (j < v.to) {
    if (kindAt(v, j) === Tok.UserVar) {
      b.sessionEffects.push({
        kind: "user_variable",
        name: userVarName(textAt(v, j)),
        how: "select_into",
        valueText: null,
        literal: false,
      });
    } else if (kindAt(v, j) !== Tok.Word) break;
    j++;
    if (!isOp(v, j, C.comma)) break;
    j++;
  }
  return j;
}

/** `@x`, `@'x'`, `` @`x` `` → `x` (user variable names are case-insensitive: lower-cased). */
export function userVarName(text: string): string {
  const body = text.slice(1);
  const c = body.charAt(0);
  const name = c === "'" || c === '"' || c === "`" ? body.slice(1, -1) : body;
  return name.toLowerCase();
}

/** Record a `@@[scope.]name` read and the same-connection need it implies. */
export function systemVariable(b: FactsBuilder, text: string): void {
  let name = text.slice(2).toLowerCase().replaceAll("`", "");
  const dot = name.indexOf(".");
  if (dot !== -1) {
    const scope = name.slice(0, dot);
    if (scope === "global" || scope === "session" || scope === "local") name = name.slice(dot + 1);
  }
  b.addSystemVariable(name);
  switch (name) {
    case "warning_count":
      b.need("warnings");
      break;
    case "error_count":
      b.need("errors");
      break;
    case "identity":
    case "last_insert_id":
      b.need("last_insert_id");
      break;
    case "last_gtid":
      b.need("last_gtid");
      break;
  }
}
