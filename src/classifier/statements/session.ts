import type { FactsBuilder } from "../builder.js";
import { type ScanOptions, scanBody, userVarName } from "../expressions.js";
import type { SessionEffect } from "../facts.js";
import { C, Op, Tok } from "../tokens.js";
import { isOp, kindAt, kwAt, nameAt, sourceOf, textAt, unquote, type View, wordIs } from "../view.js";

const VALUE_BODY: ScanOptions = { tables: true, functions: true, selectInto: false };

/** USE db */
export function useStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("use");
  const schema = nameAt(v, i + 1);
  if (schema === null) {
    b.guessed();
    return;
  }
  b.sessionEffects.push({ kind: "use", schema });
}

export type Recognize = (v: View, b: FactsBuilder, i: number) => void;

/** Every SET form: variables, NAMES, CHARACTER SET, TRANSACTION, PASSWORD, ROLE, STATEMENT … FOR. */
export function setStatement(v: View, b: FactsBuilder, i: number, recognize: Recognize): void {
  const k1 = kwAt(v, i + 1);
  const k2 = kwAt(v, i + 2);
  if (
    k1 === "TRANSACTION" ||
    ((k1 === "GLOBAL" || k1 === "SESSION" || k1 === "LOCAL") && k2 === "TRANSACTION")
  ) {
    setTransaction(v, b, i);
    return;
  }
  if (k1 === "PASSWORD") {
    b.setKind("set_password");
    return;
  }
  if (k1 === "ROLE") {
    b.setKind("set_role");
    return;
  }
  if (k1 === "DEFAULT" && k2 === "ROLE") {
    b.setKind("set_default_role");
    return;
  }
  if (k1 === "STATEMENT") {
    // SET STATEMENT var = value [, …] FOR statement: the variables last for that statement only
    for (let j = i + 2; j < v.to; j++) {
      if (kwAt(v, j) === "FOR" && kindAt(v, j + 1) === Tok.Word) {
        recognize(v, b, j + 1);
        return;
      }
    }
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind(k1 === "NAMES" ? "set_names" : k1 === "CHARACTER" || k1 === "CHARSET" ? "set_charset" : "set");
  setAssignments(v, b, i + 1);
}

function setAssignments(v: View, b: FactsBuilder, j: number): void {
  let scope: "session" | "global" = "session";
  while (j < v.to) {
    const k = kwAt(v, j);
    if (k === "GLOBAL" || wordIs(v, j, "PERSIST") || wordIs(v, j, "PERSIST_ONLY")) {
      scope = "global";
      j++;
      continue;
    }
    if (k === "SESSION" || k === "LOCAL") {
      scope = "session";
      j++;
      continue;
    }
    if (k === "NAMES") j = setNames(v, b, j + 1);
    else if (k === "CHARSET" || (k === "CHARACTER" && kwAt(v, j + 1) === "SET")) {
      j = setCharset(v, b, k === "CHARSET" ? j + 1 : j + 2);
    } else j = assignment(v, b, j, scope);
    if (j < 0) {
      b.guessed();
      b.writes = true;
      return;
    }
    if (!isOp(v, j, C.comma)) break;
    j++;
  }
  if (j < v.to) b.guessed();
}

/** The end (exclusive) of a value expression: the next top-level comma or the statement end. */
function valueEnd(v: View, j: number): number {
  let depth = 0;
  for (let k = j; k < v.to; k++) {
    if (v.t.kind[k] !== Tok.Op) continue;
    const op = v.t.op[k];
    if (op === C.lparen) depth++;
    else if (op === C.rparen) depth--;
    else if (op === C.comma && depth === 0) return k;
  }
  return v.to;
}

/**
 * A user variable's value can be copied by re-running its expression only when that gives the same
 * value anywhere, any time: literals, and operators and pure built-in functions over them. A bare
 * word is a column or a niladic function (CURRENT_USER, CURRENT_TIMESTAMP) unless NULL/TRUE/FALSE;
 * a variable, a placeholder, a subquery or any other function is computed from state of its moment.
 */
function isUserLiteral(v: View, a: number, e: number): boolean {
  for (let k = a; k < e; k++) {
    const kind = kindAt(v, k);
    if (kind === Tok.String || kind === Tok.Number) continue;
    if (kind === Tok.Op) {
      if (isOp(v, k, Op.Assign)) return false;
      continue;
    }
    if (kind !== Tok.Word) return false;
    const word = textAt(v, k).toUpperCase();
    if (isOp(v, k + 1, C.lparen) ? !PURE_FUNCTIONS.has(word) : !CONSTANT_WORDS.has(word)) return false;
  }
  return e > a;
}

/** Built-ins whose result depends on their arguments only. */
const PURE_FUNCTIONS = new Set([
  "ABS",
  "CEIL",
  "CEILING",
  "CHAR_LENGTH",
  "COALESCE",
  "CONCAT",
  "CONCAT_WS",
  "FLOOR",
  "GREATEST",
  "HEX",
  "IF",
  "IFNULL",
  "LEAST",
  "LEFT",
  "LENGTH",
  "LOWER",
  "LPAD",
  "LTRIM",
  "NULLIF",
  "REPEAT",
  "REPLACE",
  "REVERSE",
  "RIGHT",
  "ROUND",
  "RPAD",
  "RTRIM",
  "SUBSTR",
  "SUBSTRING",
  "TRIM",
  "TRUNCATE",
  "UNHEX",
  "UPPER",
]);

const CONSTANT_WORDS = new Set(["NULL", "TRUE", "FALSE", "AND", "OR", "NOT", "XOR", "IS", "DIV", "MOD"]);

function isLiteral(v: View, a: number, e: number): boolean {
  if (e - a === 2 && (isOp(v, a, C.minus) || isOp(v, a, C.plus)) && kindAt(v, a + 1) === Tok.Number)
    return true;
  if (e - a !== 1) return false;
  const k = kindAt(v, a);
  return k === Tok.String || k === Tok.Number || k === Tok.Word || k === Tok.QuotedIdent;
}

/** name = value | @@[scope.]name = value | @user = value; returns the index after, or -1. */
function assignment(v: View, b: FactsBuilder, j: number, scope: "session" | "global"): number {
  const k = kindAt(v, j);
  let name: string | null = null;
  let user = false;
  if (k === Tok.UserVar) {
    name = userVarName(textAt(v, j));
    user = true;
    j++;
  } else if (k === Tok.SysVar) {
    let text = textAt(v, j).slice(2).toLowerCase().replaceAll("`", "");
    const dot = text.indexOf(".");
    const prefix = dot === -1 ? "" : text.slice(0, dot);
    if (prefix === "global" || prefix === "session" || prefix === "local") {
      scope = prefix === "global" ? "global" : "session";
      text = text.slice(dot + 1);
    } else scope = "session";
    name = text;
    j++;
  } else if (k === Tok.Word || k === Tok.QuotedIdent) {
    name = (nameAt(v, j) ?? "").toLowerCase();
    j++;
    // structured variables: SET keycache1.key_buffer_size = …
    while (isOp(v, j, C.dot) && nameAt(v, j + 1) !== null) {
      name = `${name}.${(nameAt(v, j + 1) ?? "").toLowerCase()}`;
      j += 2;
    }
  }
  if (name === null || !(isOp(v, j, C.eq) || isOp(v, j, Op.Assign))) return -1;
  const a = j + 1;
  const e = valueEnd(v, a);
  if (e === a) return -1;
  const valueText = sourceOf(v, a, e);
  const literal = user ? isUserLiteral(v, a, e) : isLiteral(v, a, e);
  scanBody(v, b, a, e, VALUE_BODY);
  let effect: SessionEffect;
  if (user) effect = { kind: "user_variable", name, how: "set", valueText, literal };
  else if (name === "autocommit" && scope === "session") {
    const value = literal ? booleanValue(literalText(v, a, e)) : null;
    effect = { kind: "set_autocommit", value };
    // turning autocommit on commits the open transaction
    if (value !== false) b.implicitCommit = true;
  } else {
    effect = { kind: "set_variable", name, scope, valueText, literal };
    if (scope === "global") b.writes = true;
  }
  b.sessionEffects.push(effect);
  return e;
}

function literalText(v: View, a: number, e: number): string {
  return unquote(sourceOf(v, a, e)).toUpperCase();
}

function booleanValue(text: string): boolean | null {
  if (text === "1" || text === "ON" || text === "TRUE") return true;
  if (text === "0" || text === "OFF" || text === "FALSE") return false;
  return null;
}

/** NAMES charset [COLLATE collation] | NAMES DEFAULT */
function setNames(v: View, b: FactsBuilder, j: number): number {
  const charset = nameAt(v, j, true);
  if (charset === null) return -1;
  j++;
  let collation: string | null = null;
  if (kwAt(v, j) === "COLLATE") {
    collation = nameAt(v, j + 1, true)?.toLowerCase() ?? null;
    j += 2;
  }
  b.sessionEffects.push({ kind: "set_names", charset: charset.toLowerCase(), collation });
  return j;
}

/** CHARACTER SET charset | CHARSET charset */
function setCharset(v: View, b: FactsBuilder, j: number): number {
  const charset = nameAt(v, j, true);
  if (charset === null) return -1;
  b.sessionEffects.push({ kind: "set_charset", charset: charset.toLowerCase() });
  return j + 1;
}

/** SET [GLOBAL | SESSION] TRANSACTION ISOLATION LEVEL … | READ ONLY | READ WRITE [, …] */
function setTransaction(v: View, b: FactsBuilder, i: number): void {
  b.setKind("set_transaction");
  const k1 = kwAt(v, i + 1);
  const scope = k1 === "GLOBAL" ? "global" : k1 === "TRANSACTION" ? "next" : "session";
  let j = k1 === "TRANSACTION" ? i + 2 : i + 3;
  let readOnly: boolean | null = null;
  let isolation: string | null = null;
  while (j < v.to) {
    if (kwAt(v, j) === "READ" && kwAt(v, j + 1) === "ONLY") {
      readOnly = true;
      j += 2;
    } else if (kwAt(v, j) === "READ" && kwAt(v, j + 1) === "WRITE") {
      readOnly = false;
      j += 2;
    } else if (kwAt(v, j) === "ISOLATION" && kwAt(v, j + 1) === "LEVEL") {
      const a = j + 2;
      j = a;
      while (j < v.to && !isOp(v, j, C.comma)) j++;
      const words: string[] = [];
      for (let k = a; k < j; k++) words.push(textAt(v, k).toUpperCase());
      isolation = words.join(" ");
    } else {
      b.guessed();
      break;
    }
    if (isOp(v, j, C.comma)) j++;
  }
  if (scope === "global") b.writes = true;
  b.sessionEffects.push({ kind: "set_transaction", scope, readOnly, isolation });
}
