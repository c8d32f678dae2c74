import type { FactsBuilder } from "../builder.js";
import { FactsBuilder as Builder } from "../builder.js";
import { readTableList, userVarName } from "../expressions.js";
import type { StatementKind } from "../facts.js";
import { C, Tok } from "../tokens.js";
import { isOp, kindAt, kwAt, readTableName, textAt, unquote, type View, wordIs } from "../view.js";
import { deallocateName } from "./ddl.js";

export type Recognize = (v: View, b: FactsBuilder, i: number) => void;

const EXPLAINABLE = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "TABLE", "VALUES"]);

/**
 * EXPLAIN | DESCRIBE | DESC: `DESC t` describes a table; `EXPLAIN stmt` shows a plan. Both EXPLAIN
 * and MariaDB's `ANALYZE stmt` (which runs the statement) write and lock when the statement does:
 * a read_only server refuses `EXPLAIN UPDATE …` and `EXPLAIN SELECT … FOR UPDATE` with error 1290.
 * Only a running form (`ANALYZE`) reports the statement's write tables, effects and products.
 */
export function explainStatement(v: View, b: FactsBuilder, i: number, recognize: Recognize): void {
  let j = i + 1;
  let runs = kwAt(v, i) === "ANALYZE";
  for (;;) {
    const k = kwAt(v, j);
    if (k === "EXTENDED" || wordIs(v, j, "PARTITIONS")) j++;
    else if (k === "ANALYZE") {
      runs = true;
      j++;
    } else if (k === "FORMAT" && isOp(v, j + 1, C.eq)) j += 3;
    else break;
  }
  const k = kwAt(v, j);
  if (k === "FOR" && wordIs(v, j + 1, "CONNECTION")) {
    b.setKind("explain");
    return;
  }
  if ((k !== null && EXPLAINABLE.has(k)) || isOp(v, j, C.lparen)) {
    const inner = new Builder();
    recognize(v, inner, j);
    b.setKind("explain");
    for (const t of inner.tables) b.addTable(t);
    for (const f of inner.functions) b.addFunction(f);
    // the server refuses EXPLAIN UPDATE … under read_only (error 1290) just as it refuses the
    // UPDATE, and EXPLAIN of a locking read as the locking read: classified as the statement,
    // whether or not it runs
    b.writes = inner.writes;
    b.locking = inner.locking;
    b.lockWait = inner.lockWait;
    if (runs) {
      // ANALYZE runs it: whatever it changes or produces, it does
      for (const t of inner.writeTables) b.addTable(t, true);
      for (const e of inner.sessionEffects) b.sessionEffects.push(e);
      for (const n of inner.sameConnection) b.need(n);
      for (const p of inner.produces) b.produce(p);
      if (inner.transaction !== null) b.transaction = inner.transaction;
    }
    if (inner.parse !== "ok") b.guessed();
    return;
  }
  if (runs) {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("describe");
  const name = readTableName(v, j);
  if (name === null) b.guessed();
  else b.addTable(name.ref);
}

/** ANALYZE | OPTIMIZE | REPAIR | CHECK | CHECKSUM [NO_WRITE_TO_BINLOG | LOCAL] TABLE t [, …] */
export function maintenanceStatement(v: View, b: FactsBuilder, i: number, recognize: Recognize): void {
  const verb = kwAt(v, i);
  let j = i + 1;
  if (kwAt(v, j) === "NO_WRITE_TO_BINLOG" || kwAt(v, j) === "LOCAL") j++;
  const what = kwAt(v, j);
  if (verb === "ANALYZE" && what !== "TABLE" && what !== "TABLES") {
    explainStatement(v, b, i, recognize);
    return;
  }
  const kind: StatementKind =
    verb === "ANALYZE"
      ? "analyze"
      : verb === "OPTIMIZE"
        ? "optimize"
        : verb === "REPAIR"
          ? "repair"
          : verb === "CHECK"
            ? "check"
            : "checksum";
  b.setKind(kind);
  if (what !== "TABLE" && what !== "TABLES" && what !== "VIEW") {
    b.guessed();
    return;
  }
  const written = kind === "optimize" || kind === "repair" || kind === "analyze";
  readTableList(v, b, j + 1, written);
}

/** FLUSH [NO_WRITE_TO_BINLOG | LOCAL] what [, …]; FLUSH TABLES WITH READ LOCK takes a global lock. */
export function flushStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("flush");
  let j = i + 1;
  if (kwAt(v, j) === "NO_WRITE_TO_BINLOG" || kwAt(v, j) === "LOCAL") j++;
  if (kwAt(v, j) === "TABLES" || kwAt(v, j) === "TABLE") {
    j = readTableList(v, b, j + 1);
    if (kwAt(v, j) === "WITH" && kwAt(v, j + 1) === "READ" && kwAt(v, j + 2) === "LOCK") {
      b.sessionEffects.push({ kind: "lock_tables" });
    } else if (kwAt(v, j) === "FOR" && wordIs(v, j + 1, "EXPORT")) {
      b.sessionEffects.push({ kind: "lock_tables" });
    }
  }
}

/** Statements recognised by their first word(s) alone, with no details to read. */
export function simpleKind(b: FactsBuilder, kind: StatementKind): void {
  b.setKind(kind);
}

/** START SLAVE | REPLICA | ALL SLAVES …  /  STOP … */
export function replicationControl(v: View, b: FactsBuilder, i: number): void {
  const start = kwAt(v, i) === "START";
  const k = kwAt(v, i + 1);
  if (k === "SLAVE" || k === "REPLICA" || k === "ALL" || kindAt(v, i + 1) === Tok.String) {
    b.setKind(start ? "start_slave" : "stop_slave");
    return;
  }
  b.setKind("unknown");
  b.parse = "unknown";
}

/** GET [CURRENT | STACKED] DIAGNOSTICS … */
export function getStatement(v: View, b: FactsBuilder, i: number): void {
  let j = i + 1;
  if (kwAt(v, j) === "CURRENT" || wordIs(v, j, "STACKED")) j++;
  if (kwAt(v, j) !== "DIAGNOSTICS") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("get_diagnostics");
  b.need("diagnostics");
  // `@x = NUMBER`, `@e = MYSQL_ERRNO`: each target is set from the diagnostics area, a value only
  // the connection that ran it has
  let depth = 0;
  for (let k = j + 1; k < v.to; k++) {
    if (isOp(v, k, C.lparen)) depth++;
    else if (isOp(v, k, C.rparen)) depth--;
    else if (depth === 0 && kindAt(v, k) === Tok.UserVar && isOp(v, k + 1, C.eq)) {
      b.sessionEffects.push({
        kind: "user_variable",
        name: userVarName(textAt(v, k)),
        how: "diagnostics",
        valueText: null,
        literal: false,
      });
    }
  }
}

/** PREPARE name FROM 'text' | @var */
export function prepareStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("prepare");
  const name = readTableName(v, i + 1);
  if (name === null || kwAt(v, name.next) !== "FROM") {
    b.guessed();
    return;
  }
  b.sessionEffects.push({ kind: "prepare", name: name.ref.name.toLowerCase() });
  if (kindAt(v, name.next + 1) === Tok.String) b.preparedSql = unquote(textAt(v, name.next + 1));
}

/** EXECUTE name [USING …] | EXECUTE IMMEDIATE 'text' | @var */
export function executeStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("execute");
  if (kwAt(v, i + 1) === "IMMEDIATE" && kindAt(v, i + 2) === Tok.String) {
    b.preparedSql = unquote(textAt(v, i + 2));
  }
}

/** DEALLOCATE PREPARE name */
export function deallocateStatement(v: View, b: FactsBuilder, i: number): void {
  if (kwAt(v, i + 1) !== "PREPARE") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  deallocateName(v, b, i + 2);
}

/** CACHE INDEX t [, …] IN cache */
export function cacheStatement(v: View, b: FactsBuilder, i: number): void {
  if (kwAt(v, i + 1) !== "INDEX") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("cache_index");
  readTableList(v, b, i + 2);
}
