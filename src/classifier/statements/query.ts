import type { FactsBuilder } from "../builder.js";
import { readTableList, type ScanOptions, scanBody, skipTableSuffix, userVarName } from "../expressions.js";
import { C, Tok } from "../tokens.js";
import { findKw, isOp, kindAt, kwAt, readTableName, skipParens, textAt, type View } from "../view.js";

const READ_BODY: ScanOptions = { tables: true, functions: true, selectInto: true };
const WRITE_BODY: ScanOptions = { tables: true, functions: true, selectInto: false };

/** SELECT, VALUES, TABLE t, and a parenthesised query. */
export function selectStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("select");
  if (kwAt(v, i) === "TABLE") {
    const name = readTableName(v, i + 1);
    if (name !== null) b.addTable(name.ref);
    scanBody(v, b, i + 1, v.to, READ_BODY);
    return;
  }
  scanBody(v, b, i, v.to, READ_BODY);
}

/** WITH [RECURSIVE] cte AS (…) [, …] followed by SELECT / UPDATE / DELETE / INSERT / REPLACE. */
export function withStatement(v: View, b: FactsBuilder, i: number, dispatch: Dispatch): void {
  const cteNames: string[] = [];
  let j = i + 1;
  if (kwAt(v, j) === "RECURSIVE") j++;
  while (j < v.to) {
    const name = readTableName(v, j);
    if (name === null) break;
    cteNames.push(name.ref.name);
    j = name.next;
    if (isOp(v, j, C.lparen)) j = skipParens(v, j);
    if (kwAt(v, j) !== "AS") break;
    j++;
    if (!isOp(v, j, C.lparen)) break;
    j = skipParens(v, j);
    if (!isOp(v, j, C.comma)) break;
    j++;
  }
  const main = kwAt(v, j);
  if (
    main === "SELECT" ||
    main === "UPDATE" ||
    main === "DELETE" ||
    main === "INSERT" ||
    main === "REPLACE"
  ) {
    dispatch(v, b, j);
    // the CTE bodies sit before the main statement: scan them as reads
    scanBody(v, b, i + 1, j, { tables: true, functions: true, selectInto: false });
  } else if (isOp(v, j, C.lparen) || main === "VALUES" || main === "TABLE") {
    selectStatement(v, b, i);
  } else {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  // references to a CTE are not tables
  dropNames(b.tables, cteNames);
  dropNames(b.writeTables, cteNames);
}

export type Dispatch = (v: View, b: FactsBuilder, i: number) => void;

function dropNames(list: { schema: string | null; name: string }[], names: readonly string[]): void {
  if (names.length === 0) return;
  for (let k = list.length - 1; k >= 0; k--) {
    const t = list[k];
    if (t !== undefined && t.schema === null && names.includes(t.name)) list.splice(k, 1);
  }
}

/** INSERT / REPLACE [LOW_PRIORITY | DELAYED | HIGH_PRIORITY] [IGNORE] [INTO] t … */
export function insertStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind(kwAt(v, i) === "REPLACE" ? "replace" : "insert");
  let j = i + 1;
  for (;;) {
    const k = kwAt(v, j);
    if (k === "LOW_PRIORITY" || k === "DELAYED" || k === "HIGH_PRIORITY" || k === "IGNORE") j++;
    else break;
  }
  if (kwAt(v, j) === "INTO") j++;
  const target = readTableName(v, j);
  if (target === null) b.guessed();
  else {
    b.addTable(target.ref, true);
    j = target.next;
  }
  b.produce("insert_id");
  b.produce("row_count");
  scanBody(v, b, j, v.to, WRITE_BODY);
}

/** UPDATE [LOW_PRIORITY] [IGNORE] table_references SET … : every table before SET may be changed. */
export function updateStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("update");
  let j = i + 1;
  while (kwAt(v, j) === "LOW_PRIORITY" || kwAt(v, j) === "IGNORE") j++;
  const set = findKw(v, j, "SET");
  const refsEnd = set === -1 ? v.to : set;
  j = readTableList(v, b, j, true);
  scanBody(v, b, j, refsEnd, WRITE_BODY);
  for (const t of b.tables) b.addTable(t, true);
  if (set === -1) b.guessed();
  b.produce("row_count");
  scanBody(v, b, refsEnd, v.to, WRITE_BODY);
}

/**
 * DELETE [LOW_PRIORITY] [QUICK] [IGNORE] FROM t …            (single table)
 * DELETE t1[.*], t2 FROM t1 JOIN t2 …                       (multi-table: targets before FROM)
 * DELETE FROM t1[.*], t2 USING t1 JOIN t2 …                 (multi-table: targets before USING)
 */
export function deleteStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("delete");
  b.produce("row_count");
  let j = i + 1;
  while (kwAt(v, j) === "LOW_PRIORITY" || kwAt(v, j) === "QUICK" || kwAt(v, j) === "IGNORE") j++;
  if (kwAt(v, j) === "FROM") {
    j = readTargets(v, b, j + 1);
    if (kwAt(v, j) === "USING") j = readTableList(v, b, j + 1);
  } else {
    j = readTargets(v, b, j);
    if (kwAt(v, j) !== "FROM") b.guessed();
    else j = readTableList(v, b, j + 1);
  }
  scanBody(v, b, j, v.to, WRITE_BODY);
}

/** t1[.*] [AS a], t2 …: the tables a DELETE changes. */
function readTargets(v: View, b: FactsBuilder, j: number): number {
  while (j < v.to) {
    const name = readTableName(v, j);
    if (name === null) return j;
    b.addTable(name.ref, true);
    j = name.next;
    if (isOp(v, j, C.dot) && isOp(v, j + 1, C.star)) j += 2;
    j = skipTableSuffix(v, j);
    if (!isOp(v, j, C.comma)) return j;
    j++;
  }
  return j;
}

/** LOAD DATA | XML [LOW_PRIORITY | CONCURRENT] [LOCAL] INFILE 'f' [REPLACE | IGNORE] INTO TABLE t … */
export function loadStatement(v: View, b: FactsBuilder, i: number): void {
  const k = kwAt(v, i + 1);
  if (k === "INDEX") {
    b.setKind("load_index");
    readTableList(v, b, i + 4);
    return;
  }
  b.setKind("load_data");
  if (k !== "DATA" && k !== "XML") b.guessed();
  const into = findKw(v, i, "INTO");
  if (into === -1 || kwAt(v, into + 1) !== "TABLE") {
    b.guessed();
    return;
  }
  const name = readTableName(v, into + 2);
  if (name !== null) b.addTable(name.ref, true);
  b.produce("row_count");
}

/**
 * CALL p(args): the procedure body is invisible, so a write (the kind's default). An argument that
 * is a bare `@x` may be an OUT or INOUT parameter the procedure sets: a `call_argument` effect.
 */
export function callStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("call");
  scanBody(v, b, i + 1, v.to, WRITE_BODY);
  const name = readTableName(v, i + 1);
  if (name === null || !isOp(v, name.next, C.lparen)) return;
  const end = skipParens(v, name.next) - 1;
  for (let k = name.next + 1; k < end; k++) {
    if (isOp(v, k, C.lparen)) {
      k = skipParens(v, k) - 1;
      continue;
    }
    if (
      kindAt(v, k) === Tok.UserVar &&
      (isOp(v, k - 1, C.lparen) || isOp(v, k - 1, C.comma)) &&
      (k + 1 === end || isOp(v, k + 1, C.comma))
    ) {
      b.sessionEffects.push({
        kind: "user_variable",
        name: userVarName(textAt(v, k)),
        how: "call_argument",
        valueText: null,
        literal: false,
      });
    }
  }
}

/** DO expr, …: a read unless an expression has side effects. */
export function doStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("do");
  scanBody(v, b, i + 1, v.to, READ_BODY);
}

/** HANDLER t OPEN [[AS] a] | HANDLER a READ … | HANDLER a CLOSE */
export function handlerStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("handler");
  const name = readTableName(v, i + 1);
  if (name === null) {
    b.guessed();
    return;
  }
  if (kwAt(v, name.next) === "OPEN") b.addTable(name.ref);
  scanBody(v, b, name.next, v.to, READ_BODY);
}

/** A parenthesised query `(SELECT …) UNION (…)`: find the first word inside. */
export function firstWordInParens(v: View, i: number): number {
  let j = i;
  while (isOp(v, j, C.lparen)) j++;
  return kindAt(v, j) === Tok.Word ? j : -1;
}
