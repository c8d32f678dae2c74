import type { FactsBuilder } from "../builder.js";
import { type ScanOptions, scanBody } from "../expressions.js";
import type { StatementKind, TableRef } from "../facts.js";
import type { Keyword } from "../keywords.js";
import { C, Tok } from "../tokens.js";
import { isOp, kindAt, kwAt, readTableName, type View, wordIs } from "../view.js";

// DDL bodies hold column lists and types that look like calls: functions do not make them writes
// (they are writes already), and `SELECT` parts still yield their tables.
const DDL_BODY: ScanOptions = { tables: true, functions: false, selectInto: false };

type Verb = "create" | "alter" | "drop";
const OBJECTS: Partial<Record<Keyword, string>> = {
  TABLE: "table",
  TABLES: "table",
  INDEX: "index",
  VIEW: "view",
  DATABASE: "database",
  SCHEMA: "database",
  PROCEDURE: "procedure",
  FUNCTION: "function",
  TRIGGER: "trigger",
  EVENT: "event",
  SEQUENCE: "sequence",
  SERVER: "server",
  USER: "user",
  ROLE: "role",
};

/** Skip the modifiers that may sit between CREATE/ALTER/DROP and the object word. */
function skipModifiers(v: View, j: number, flags: { temporary: boolean }): number {
  for (;;) {
    const k = kwAt(v, j);
    if (k === "OR" && kwAt(v, j + 1) === "REPLACE") j += 2;
    else if (k === "TEMPORARY") {
      flags.temporary = true;
      j++;
    } else if (k === "DEFINER" && isOp(v, j + 1, C.eq)) j = skipAccount(v, j + 2);
    else if (k === "ALGORITHM" && isOp(v, j + 1, C.eq)) j += 3;
    else if (k === "SQL" && kwAt(v, j + 1) === "SECURITY") j += 3;
    else if (
      k === "UNIQUE" ||
      k === "FULLTEXT" ||
      k === "SPATIAL" ||
      k === "AGGREGATE" ||
      k === "ONLINE" ||
      k === "IGNORE" ||
      wordIs(v, j, "OFFLINE")
    )
      j++;
    else return j;
  }
}

/** 'user'@'host' | user@host | CURRENT_USER[()] | CURRENT_ROLE */
export function skipAccount(v: View, j: number): number {
  if (kwAt(v, j) === "CURRENT_USER") return isOp(v, j + 1, C.lparen) ? j + 3 : j + 1;
  j++;
  if (isOp(v, j, 64)) j += 2;
  return j;
}

function ifExists(v: View, j: number): number {
  if (kwAt(v, j) === "IF" && kwAt(v, j + 1) === "EXISTS") return j + 2;
  if (kwAt(v, j) === "IF" && kwAt(v, j + 1) === "NOT" && kwAt(v, j + 2) === "EXISTS") return j + 3;
  return j;
}

/** CREATE / ALTER / DROP of every object kind. */
export function ddlStatement(v: View, b: FactsBuilder, i: number): void {
  const verb: Verb = kwAt(v, i) === "CREATE" ? "create" : kwAt(v, i) === "ALTER" ? "alter" : "drop";
  const flags = { temporary: false };
  let j = skipModifiers(v, i + 1, flags);
  const objectKw = kwAt(v, j);
  if (verb === "drop" && objectKw === "PREPARE") {
    deallocateName(v, b, j + 1);
    return;
  }
  const object = objectKw === null ? undefined : OBJECTS[objectKw];
  const kind = kindFor(verb, object);
  b.setKind(kind);
  if (object === undefined) {
    // TABLESPACE, LOGFILE GROUP, PACKAGE, INSTANCE, …: known to be DDL, details not read
    if (
      objectKw !== "TABLESPACE" &&
      objectKw !== "LOGFILE" &&
      objectKw !== "PACKAGE" &&
      objectKw !== "INSTANCE"
    )
      b.guessed();
    return;
  }
  j = ifExists(v, j + 1);
  switch (object) {
    case "table":
      tableDdl(v, b, verb, j, flags.temporary);
      return;
    case "index": {
      // CREATE INDEX i ON t (…) / DROP INDEX i ON t
      const on = kwAt(v, j + 1) === "ON" ? j + 2 : -1;
      const name = on === -1 ? null : readTableName(v, on);
      if (name === null) b.guessed();
      else b.addTable(name.ref, true);
      return;
    }
    case "view":
    case "sequence": {
      const names: TableRef[] = [];
      j = readNames(v, j, names);
      for (const n of names) b.addTable(n, true);
      if (object === "view") scanBody(v, b, j, v.to, DDL_BODY);
      return;
    }
    case "trigger": {
      // CREATE TRIGGER name BEFORE|AFTER INSERT|UPDATE|DELETE ON t …
      for (let k = j; k < v.to; k++) {
        if (kwAt(v, k) === "ON") {
          const name = readTableName(v, k + 1);
          if (name !== null) b.addTable(name.ref);
          break;
        }
      }
      return;
    }
    default:
      return;
  }
}

function kindFor(verb: Verb, object: string | undefined): StatementKind {
  if (object === undefined) return `${verb}_other`;
  const k = `${verb}_${object}`;
  switch (k) {
    case "alter_index":
    case "alter_trigger":
    case "alter_role":
      return "alter_other";
    default:
      return k as StatementKind;
  }
}

/** CREATE [TEMPORARY] TABLE t (…) [SELECT …] | LIKE t2 ; ALTER TABLE t … ; DROP [TEMPORARY] TABLE t, … */
function tableDdl(v: View, b: FactsBuilder, verb: Verb, j: number, temporary: boolean): void {
  const names: TableRef[] = [];
  j = readNames(v, j, names);
  if (names.length === 0) {
    b.guessed();
    return;
  }
  for (const n of names) b.addTable(n, true);
  if (temporary) b.implicitCommit = false;
  const first = names[0];
  if (verb === "create" && first !== undefined) {
    if (temporary) b.sessionEffects.push({ kind: "create_temporary_table", table: first });
    if (kwAt(v, j) === "LIKE" || (isOp(v, j, C.lparen) && kwAt(v, j + 1) === "LIKE")) {
      const like = readTableName(v, kwAt(v, j) === "LIKE" ? j + 1 : j + 2);
      if (like !== null) b.addTable(like.ref);
    }
    references(v, b, j);
    scanBody(v, b, j, v.to, DDL_BODY);
  } else if (verb === "alter") {
    references(v, b, j);
    const rename = findRenameTo(v, j);
    if (rename !== null) b.addTable(rename, true);
  } else if (verb === "drop") {
    b.sessionEffects.push({ kind: "drop_table", tables: names, temporaryOnly: temporary });
  }
}

/** A comma-separated list of (possibly qualified) names; returns the index after it. */
function readNames(v: View, j: number, out: TableRef[]): number {
  while (j < v.to) {
    const name = readTableName(v, j);
    if (name === null) return j;
    out.push(name.ref);
    j = name.next;
    if (!isOp(v, j, C.comma)) return j;
    j++;
  }
  return j;
}

/** FOREIGN KEY (…) REFERENCES parent (…): the parent table is read. */
function references(v: View, b: FactsBuilder, j: number): void {
  for (let k = j; k < v.to; k++) {
    if (kwAt(v, k) !== "REFERENCES") continue;
    const name = readTableName(v, k + 1);
    if (name !== null) b.addTable(name.ref);
  }
}

/** ALTER TABLE t RENAME [TO | AS] t2 */
function findRenameTo(v: View, j: number): TableRef | null {
  for (let k = j; k < v.to; k++) {
    if (kwAt(v, k) !== "RENAME") continue;
    let n = k + 1;
    if (kwAt(v, n) === "TO" || kwAt(v, n) === "AS") n++;
    if (kwAt(v, n) === "COLUMN" || kwAt(v, n) === "INDEX" || kwAt(v, n) === "KEY") return null;
    return readTableName(v, n)?.ref ?? null;
  }
  return null;
}

/** RENAME TABLE a TO b [, c TO d] | RENAME USER … */
export function renameStatement(v: View, b: FactsBuilder, i: number): void {
  const k = kwAt(v, i + 1);
  if (k === "USER") {
    b.setKind("rename_user");
    return;
  }
  b.setKind("rename_table");
  if (k !== "TABLE" && k !== "TABLES") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  let j = i + 2;
  while (j < v.to) {
    const name = readTableName(v, j);
    if (name === null) break;
    b.addTable(name.ref, true);
    j = name.next;
    if (kwAt(v, j) === "TO" || isOp(v, j, C.comma)) j++;
    else if (kwAt(v, j) === "WAIT") j += 2;
    else if (kwAt(v, j) === "NOWAIT") j++;
    else break;
  }
}

/** TRUNCATE [TABLE] t */
export function truncateStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("truncate");
  const j = kwAt(v, i + 1) === "TABLE" ? i + 2 : i + 1;
  const name = readTableName(v, j);
  if (name === null) b.guessed();
  else b.addTable(name.ref, true);
}

/** DEALLOCATE | DROP PREPARE name */
export function deallocateName(v: View, b: FactsBuilder, j: number): void {
  b.setKind("deallocate");
  const name = kindAt(v, j) === Tok.Word || kindAt(v, j) === Tok.QuotedIdent ? readTableName(v, j) : null;
  if (name === null) b.guessed();
  else b.sessionEffects.push({ kind: "deallocate", name: name.ref.name.toLowerCase() });
}
