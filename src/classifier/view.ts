import type { TableRef } from "./facts.js";
import { isReserved, type Keyword } from "./keywords.js";
import { C, Tok, type Tokens } from "./tokens.js";

/** One statement's tokens: t[from, to). Helpers below return null/false past `to`. */
export interface View {
  readonly t: Tokens;
  readonly from: number;
  readonly to: number;
}

export function kwAt(v: View, i: number): Keyword | null {
  return i < v.to && i >= v.from ? (v.t.kw[i] ?? null) : null;
}

export function isOp(v: View, i: number, code: number): boolean {
  return i < v.to && v.t.kind[i] === Tok.Op && v.t.op[i] === code;
}

export function kindAt(v: View, i: number): number {
  return i < v.to && i >= v.from ? (v.t.kind[i] ?? 0) : 0;
}

export function textAt(v: View, i: number): string {
  return v.t.sql.slice(v.t.start[i], v.t.end[i]);
}

/** Source text of tokens [a, b), as written. */
export function sourceOf(v: View, a: number, b: number): string {
  if (b <= a) return "";
  return v.t.sql.slice(v.t.start[a], v.t.end[b - 1]);
}

/** Index of the first token at or after i (same paren depth as i) whose keyword is k, or -1. */
export function findKw(v: View, i: number, k: Keyword): number {
  let depth = 0;
  for (let j = i; j < v.to; j++) {
    if (v.t.kind[j] === Tok.Op) {
      if (v.t.op[j] === C.lparen) depth++;
      else if (v.t.op[j] === C.rparen) depth--;
    } else if (depth === 0 && v.t.kw[j] === k) return j;
  }
  return -1;
}

/** Index after the `)` that closes the `(` at i. */
export function skipParens(v: View, i: number): number {
  let depth = 0;
  for (let j = i; j < v.to; j++) {
    if (v.t.kind[j] !== Tok.Op) continue;
    if (v.t.op[j] === C.lparen) depth++;
    else if (v.t.op[j] === C.rparen && --depth === 0) return j + 1;
  }
  return v.to;
}

/** The identifier a Word, QuotedIdent (or, where names may be strings, String) token spells. */
export function nameAt(v: View, i: number, allowString = false): string | null {
  if (i >= v.to) return null;
  const k = v.t.kind[i];
  if (k === Tok.Word) return textAt(v, i);
  if (k === Tok.QuotedIdent || (allowString && k === Tok.String)) return unquote(textAt(v, i));
  return null;
}

/** Remove the quotes of a quoted token and undo doubled quotes and backslash escapes. */
export function unquote(s: string): string {
  const q = s.charAt(0);
  if (q !== "`" && q !== '"' && q !== "'") return s;
  const body = s.slice(1, s.length > 1 && s.endsWith(q) ? -1 : undefined);
  let out = body.split(q + q).join(q);
  if (q !== "`" && out.includes("\\")) out = out.replace(/\\(.)/g, "$1");
  return out;
}

/** A table name (`t`, `db.t`, `` `db`.`t` ``) at i, and the index after it; null if none. */
export function readTableName(v: View, i: number): { ref: TableRef; next: number } | null {
  const k = kindAt(v, i);
  if (k !== Tok.Word && k !== Tok.QuotedIdent) return null;
  if (k === Tok.Word && isReserved(v.t.kw[i] ?? null)) return null;
  const first = nameAt(v, i);
  if (first === null) return null;
  if (isOp(v, i + 1, C.dot)) {
    const second = nameAt(v, i + 2);
    if (second !== null) return { ref: { schema: first, name: second }, next: i + 3 };
  }
  return { ref: { schema: null, name: first }, next: i + 1 };
}

/** True when the token at i can be an alias (a name that is not a reserved word). */
export function isAliasAt(v: View, i: number): boolean {
  const k = kindAt(v, i);
  if (k === Tok.QuotedIdent || k === Tok.String) return true;
  if (k !== Tok.Word) return false;
  const kw = v.t.kw[i] ?? null;
  return kw === null || (!isReserved(kw) && !NOT_ALIAS.has(kw));
}

// non-reserved words that follow a table name in clauses and so are never aliases there
const NOT_ALIAS = new Set<Keyword>(["NOWAIT", "WAIT", "SKIP", "LOCK", "READ", "WRITE", "LOCAL", "TO"]);

/** The Word at i spells `upper` (given in upper case), for words not in the keyword list. */
export function wordIs(v: View, i: number, upper: string): boolean {
  if (i >= v.to || v.t.kind[i] !== Tok.Word) return false;
  const s = v.t.start[i] ?? 0;
  if ((v.t.end[i] ?? 0) - s !== upper.length) return false;
  for (let k = 0; k < upper.length; k++) {
    const c = v.t.sql.charCodeAt(s + k);
    if ((c >= 97 && c <= 122 ? c - 32 : c) !== upper.charCodeAt(k)) return false;
  }
  return true;
}
