import { tokenize } from "../classifier/tokenizer.js";
import { C, Tok, type Tokens } from "../classifier/tokens.js";

/**
 * The values of the previous statements' results that Sluice knows (see session-results.ts), as
 * SQL text. A missing one is not known: its reads are left as they are.
 */
export interface KnownResults {
  readonly lastInsertId?: string;
  readonly foundRows?: string;
  readonly rowCount?: string;
  readonly warningCount?: number;
  readonly errorCount?: number;
}

/**
 * Replaces reads of FOUND_ROWS(), ROW_COUNT(), LAST_INSERT_ID() (no argument), @@identity,
 * @@last_insert_id, @@warning_count and @@error_count by the values one server would return, so
 * the statement answers the same on any connection. Each value is written as an expression of the
 * function's own type (BIGINT, signed or unsigned, NOT NULL), and a select item that held one and
 * had no alias gets its original text as alias: the client sees the same column name and type.
 * Returns null when nothing was replaced.
 */
export function substituteResults(sql: string, known: KnownResults): string | null {
  const t = tokenize(sql);
  const edits: Edit[] = [];
  for (let i = 0; i < t.count; i++) {
    const value = valueAt(t, i, known);
    if (value !== null) edits.push(value);
  }
  if (edits.length === 0) return null;
  for (const item of selectItems(t)) {
    if (item.aliased) continue;
    if (!edits.some((e) => e.from >= t.start[item.first]! && e.to <= t.end[item.last]!)) continue;
    const at = t.end[item.last]!;
    const name = sql.slice(t.start[item.first], at);
    edits.push({ from: at, to: at, text: ` AS \`${name.replace(/`/g, "``")}\`` });
  }
  edits.sort((a, b) => a.from - b.from || a.to - b.to);
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += sql.slice(at, e.from) + e.text;
    at = e.to;
  }
  return out + sql.slice(at);
}

interface Edit {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/** BIGINT NOT NULL, signed (FOUND_ROWS(), ROW_COUNT()): two's complement through a cast. */
function signedBigint(value: string): string {
  const n = BigInt(value);
  const bits = n < 0n ? (1n << 64n) + n : n;
  return `CAST(0xFFFFFFFFFFFFFFFF & ${bits} AS SIGNED)`;
}

/** BIGINT UNSIGNED NOT NULL (LAST_INSERT_ID()). */
function unsignedBigint(value: string): string {
  return `(0xFFFFFFFFFFFFFFFF & ${BigInt(value)})`;
}

function valueAt(t: Tokens, i: number, known: KnownResults): Edit | null {
  const kind = t.kind[i];
  if (kind === Tok.SysVar) {
    const name = sysVarName(t.sql.slice(t.start[i], t.end[i]));
    let text: string | null = null;
    if ((name === "identity" || name === "last_insert_id") && known.lastInsertId !== undefined)
      text = unsignedBigint(known.lastInsertId);
    else if (name === "warning_count" && known.warningCount !== undefined)
      text = unsignedBigint(String(known.warningCount));
    else if (name === "error_count" && known.errorCount !== undefined)
      text = unsignedBigint(String(known.errorCount));
    return text === null ? null : { from: t.start[i]!, to: t.end[i]!, text };
  }
  if (kind !== Tok.Word) return null;
  if (!isOp(t, i + 1, C.lparen) || !isOp(t, i + 2, C.rparen)) return null;
  if (isOp(t, i - 1, C.dot)) return null; // db.found_rows(): a stored function
  const name = t.sql.slice(t.start[i], t.end[i]).toLowerCase();
  let text: string | null = null;
  if (name === "found_rows" && known.foundRows !== undefined) text = signedBigint(known.foundRows);
  else if (name === "row_count" && known.rowCount !== undefined) text = signedBigint(known.rowCount);
  else if (name === "last_insert_id" && known.lastInsertId !== undefined)
    text = unsignedBigint(known.lastInsertId);
  return text === null ? null : { from: t.start[i]!, to: t.end[i + 2]!, text };
}

/** `@@session.warning_count` → `warning_count`; a global one is not the session's (null). */
function sysVarName(text: string): string | null {
  let name = text.slice(2).toLowerCase().replaceAll("`", "");
  const dot = name.indexOf(".");
  if (dot !== -1) {
    const scope = name.slice(0, dot);
    if (scope === "global") return null;
    name = name.slice(dot + 1);
  }
  return name;
}

function isOp(t: Tokens, i: number, op: number): boolean {
  return i >= 0 && i < t.count && t.kind[i] === Tok.Op && t.op[i] === op;
}

function word(t: Tokens, i: number): string | null {
  return i < t.count && t.kind[i] === Tok.Word ? t.sql.slice(t.start[i], t.end[i]).toUpperCase() : null;
}

const SELECT_MODIFIERS = new Set([
  "ALL",
  "DISTINCT",
  "DISTINCTROW",
  "HIGH_PRIORITY",
  "STRAIGHT_JOIN",
  "SQL_SMALL_RESULT",
  "SQL_BIG_RESULT",
  "SQL_BUFFER_RESULT",
  "SQL_CACHE",
  "SQL_NO_CACHE",
  "SQL_CALC_FOUND_ROWS",
]);

/** Words that end a select list at depth 0. */
const LIST_END = new Set([
  "FROM",
  "INTO",
  "WHERE",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "UNION",
  "EXCEPT",
  "INTERSECT",
  "FOR",
  "LOCK",
  "WINDOW",
  "PROCEDURE",
]);

interface SelectItem {
  readonly first: number;
  readonly last: number;
  readonly aliased: boolean;
}

/**
 * The top-level select items of every SELECT in the statement (tokens first..last): their text
 * names the result's columns when they have no alias.
 */
function selectItems(t: Tokens): SelectItem[] {
  const items: SelectItem[] = [];
  for (let i = 0; i < t.count; i++) {
    if (word(t, i) !== "SELECT") continue;
    let j = i + 1;
    while (SELECT_MODIFIERS.has(word(t, j) ?? "")) j++;
    let depth = 0;
    let first = j;
    for (; j <= t.count; j++) {
      const end =
        j === t.count ||
        t.kind[j] === Tok.Semicolon ||
        (depth === 0 && LIST_END.has(word(t, j) ?? "")) ||
        (depth === 0 && isOp(t, j, C.rparen));
      if (end || (depth === 0 && isOp(t, j, C.comma))) {
        if (j > first) items.push({ first, last: j - 1, aliased: hasAlias(t, first, j - 1) });
        first = j + 1;
        if (end) break;
        continue;
      }
      if (isOp(t, j, C.lparen)) depth++;
      else if (isOp(t, j, C.rparen)) depth--;
    }
  }
  return items;
}

function hasAlias(t: Tokens, first: number, last: number): boolean {
  if (last === first) return false;
  const k = t.kind[last];
  if (k !== Tok.Word && k !== Tok.QuotedIdent && k !== Tok.String) return false;
  if (word(t, last - 1) === "AS") return true;
  // `x IS NULL`, `CASE … END`: a keyword ends the expression (an alias that is a keyword needs AS)
  if (k === Tok.Word && t.kw[last] !== null) return false;
  // `expr alias`: the word follows an expression's end, not an operator or a dot
  const before = t.kind[last - 1];
  return before !== Tok.Op || isOp(t, last - 1, C.rparen);
}
