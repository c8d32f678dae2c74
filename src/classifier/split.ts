import type { ClassifyContext } from "./facts.js";
import type { Keyword } from "./keywords.js";
import { tokenize } from "./tokenizer.js";
import { C, Tok, type Tokens } from "./tokens.js";

/** Token range [from, to) of one statement, without its `;`. */
export interface StatementRange {
  readonly from: number;
  readonly to: number;
}

const BODY_OBJECTS = new Set<Keyword>(["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"]);
const BLOCK_STARTS = new Set<Keyword>(["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"]);
const BEFORE_STATEMENT = new Set<Keyword>(["BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", "ROW"]);

/**
 * Split a token stream at `;` the way the server does in a multi-statement query: a compound
 * statement (a stored program body, BEGIN NOT ATOMIC … END, IF … END IF) keeps its inner `;`.
 * Empty statements (`;;`) are dropped.
 */
export function statementRanges(t: Tokens): StatementRange[] {
  const ranges: StatementRange[] = [];
  let from = 0;
  let compound = false;
  let depth = 0;
  for (let i = 0; i < t.count; i++) {
    if (i === from) {
      const start = startsCompound(t, i);
      compound = start !== "no";
      // an Oracle-mode package spec (CREATE PACKAGE p AS …; END) has no BEGIN before its END
      if (start === "package") depth = 1;
    }
    const kind = t.kind[i];
    if (kind === Tok.Semicolon) {
      if (compound && depth > 0) continue;
      if (i > from) ranges.push({ from, to: i });
      from = i + 1;
      depth = 0;
      continue;
    }
    if (!compound || kind !== Tok.Word) continue;
    const kw = t.kw[i];
    if (kw === "BEGIN" || kw === "CASE") depth++;
    else if (kw === "END") {
      if (depth > 0) depth--;
      const next = t.kw[i + 1];
      if (next !== undefined && next !== null && BLOCK_STARTS.has(next)) i++;
    } else if (kw !== null && kw !== undefined && BLOCK_STARTS.has(kw) && atStatementStart(t, i, from))
      depth++;
  }
  if (from < t.count) ranges.push({ from, to: t.count });
  return ranges;
}

function atStatementStart(t: Tokens, i: number, from: number): boolean {
  if (i === from) return true;
  const p = i - 1;
  if (t.kind[p] === Tok.Semicolon) return true;
  if (t.kind[p] === Tok.Op) return t.op[p] === C.colon;
  const kw = t.kw[p];
  return kw !== null && kw !== undefined && BEFORE_STATEMENT.has(kw);
}

function startsCompound(t: Tokens, i: number): "no" | "yes" | "package" {
  const kw = t.kw[i];
  if (kw === "BEGIN") return t.kw[i + 1] === "NOT" ? "yes" : "no";
  if (kw !== null && kw !== undefined && BLOCK_STARTS.has(kw)) return "yes";
  if (t.kind[i] === Tok.Word && t.kind[i + 1] === Tok.Op && t.op[i + 1] === C.colon) return "yes";
  if (kw !== "CREATE") return "no";
  for (let j = i + 1; j < t.count && j < i + 16; j++) {
    const k = t.kw[j];
    if (k === "PACKAGE") return t.kw[j + 1] === "BODY" ? "yes" : "package";
    if (k !== null && k !== undefined && BODY_OBJECTS.has(k)) return "yes";
    if (t.kind[j] === Tok.Semicolon || k === "TABLE" || k === "VIEW" || k === "INDEX") return "no";
  }
  return "no";
}

/**
 * The statements of a multi-statement text, as source slices (comments inside and before each
 * statement kept, so hints stay with their statement), trimmed, without the `;` separators.
 */
export function splitStatements(sql: string, context?: ClassifyContext): string[] {
  const t = tokenize(sql, context);
  const ranges = statementRanges(t);
  const out: string[] = [];
  let prevEnd = 0;
  for (const r of ranges) {
    const end = t.end[r.to - 1] ?? sql.length;
    const text = sql.slice(prevEnd, end).trim();
    if (text.length > 0) out.push(text.startsWith(";") ? text.replace(/^[;\s]+/, "") : text);
    prevEnd = r.to < t.count ? (t.end[r.to] ?? end) : end;
  }
  return out;
}
