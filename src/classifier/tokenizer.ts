import type { ClassifyContext } from "./facts.js";
import { parseHintComment } from "./hints.js";
import { FNV32_OFFSET, FNV32_PRIME, keywordFor, upperCode } from "./keywords.js";
import { C, Op, type PlacedHint, Tok, type Tokens, type TokKind } from "./tokens.js";

/** MariaDB 10.11.0: the version executable comments are judged against when none is given. */
export const DEFAULT_SERVER_VERSION = 101100;

/**
 * One pass over the char codes of `sql`, producing the token stream the classifier reads.
 * Comments are dropped (hints in them are kept), executable comments are opened or skipped as the
 * server would, and no string is allocated per token: keywords are found through a hash of the
 * upper-cased characters computed during the scan.
 */
export function tokenize(sql: string, context?: ClassifyContext): Tokens {
  const ansiQuotes = context?.ansiQuotes === true;
  const backslash = context?.noBackslashEscapes !== true;
  const version = context?.serverVersion ?? DEFAULT_SERVER_VERSION;
  const mariadb = context?.mariadb ?? version >= 100000;
  const t: Tokens = {
    sql,
    count: 0,
    kind: [],
    start: [],
    end: [],
    kw: [],
    op: [],
    hints: [],
    unterminated: false,
  };
  const n = sql.length;
  let execDepth = 0; // inside executed /*! … */ comments
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    // comments
    if (c === 35 /* # */ || (c === 45 && next === 45 && isDashCommentEnd(sql, i + 2))) {
      const bodyStart = c === 35 ? i + 1 : i + 2;
      let j = bodyStart;
      while (j < n && sql.charCodeAt(j) !== 10) j++;
      addHints(t, parseHintComment(sql, bodyStart, j));
      i = j;
      continue;
    }
    if (c === 47 /* / */ && next === 42 /* * */) {
      const third = i + 2 < n ? sql.charCodeAt(i + 2) : 0;
      const mariaExec = third === 77 /* M */ && i + 3 < n && sql.charCodeAt(i + 3) === 33;
      if (third === 33 /* ! */ || mariaExec) {
        let j = i + (mariaExec ? 4 : 3);
        let digits = 0;
        while (digits < 6 && j + digits < n && isDigit(sql.charCodeAt(j + digits))) digits++;
        let needed = 0;
        if (digits >= 5) {
          const take = digits === 6 ? 6 : 5;
          needed = Number(sql.slice(j, j + take));
          j += take;
        }
        const run = (!mariaExec || mariadb) && needed <= version;
        if (run) {
          execDepth++;
          i = j;
          continue;
        }
      }
      const close = sql.indexOf("*/", i + 2);
      const stop = close === -1 ? n : close;
      if (close === -1) t.unterminated = true;
      addHints(t, parseHintComment(sql, i + 2, stop));
      i = close === -1 ? n : close + 2;
      continue;
    }
    if (c === 42 && next === 47 && execDepth > 0) {
      execDepth--;
      i += 2;
      continue;
    }
    const start = i;
    // strings and quoted identifiers
    if (c === 39 || (c === 34 && !ansiQuotes)) {
      i = scanQuoted(t, sql, i, c, backslash);
      push(t, Tok.String, start, i, 0);
      continue;
    }
    if (c === 96 || (c === 34 && ansiQuotes)) {
      i = scanQuoted(t, sql, i, c, false);
      push(t, Tok.QuotedIdent, start, i, 0);
      continue;
    }
    // numbers (and identifiers that start with digits, such as `1t`)
    if (isDigit(c) || (c === 46 && isDigit(next) && !followsName(t))) {
      i = scanNumber(t, sql, i);
      continue;
    }
    if (isWordStart(c)) {
      let h = FNV32_OFFSET;
      let j = i;
      while (j < n) {
        const d = sql.charCodeAt(j);
        if (!isWordChar(d)) break;
        h = Math.imul(h ^ upperCode(d), FNV32_PRIME);
        j++;
      }
      const after = j < n ? sql.charCodeAt(j) : 0;
      // N'…', X'…', B'…', _utf8mb4'…': a string with an introducer
      if (after === 39 || (after === 34 && !ansiQuotes)) {
        const len = j - i;
        const u = upperCode(c);
        if ((len === 1 && (u === 78 || u === 88 || u === 66)) || c === 95) {
          i = scanQuoted(t, sql, j, after, backslash && u !== 88 && u !== 66);
          push(t, Tok.String, start, i, 0);
          continue;
        }
      }
      push(t, Tok.Word, i, j, 0);
      t.kw[t.count - 1] = keywordFor(sql, i, j, h);
      i = j;
      continue;
    }
    if (c === 64 /* @ */) {
      i = scanVariable(t, sql, i, next, ansiQuotes);
      continue;
    }
    if (c === 63 /* ? */) {
      push(t, Tok.Param, i, i + 1, 0);
      i++;
      continue;
    }
    if (c === 59 /* ; */) {
      push(t, Tok.Semicolon, i, i + 1, 0);
      i++;
      continue;
    }
    i = scanOperator(t, sql, i, c, next);
  }
  return t;
}

function push(t: Tokens, kind: TokKind, start: number, end: number, op: number): void {
  t.kind.push(kind);
  t.start.push(start);
  t.end.push(end);
  t.kw.push(null);
  t.op.push(op);
  t.count++;
}

function addHints(t: Tokens, hints: readonly PlacedHint["hint"][] | null): void {
  if (hints === null) return;
  for (const hint of hints) t.hints.push({ hint, token: t.count });
}

/** `--` starts a comment only when followed by whitespace, a control character or the end. */
function isDashCommentEnd(sql: string, i: number): boolean {
  if (i >= sql.length) return true;
  const c = sql.charCodeAt(i);
  return c <= 32;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 0x80
  );
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The previous token is a name or `)`, so a following `.` is a qualifier dot, not a decimal point. */
function followsName(t: Tokens): boolean {
  if (t.count === 0) return false;
  const k = t.kind[t.count - 1];
  return k === Tok.Word || k === Tok.QuotedIdent || (k === Tok.Op && t.op[t.count - 1] === C.rparen);
}

/** Scan a quoted run starting at the opening quote; returns the index after the closing quote. */
function scanQuoted(t: Tokens, sql: string, i: number, quote: number, backslash: boolean): number {
  const n = sql.length;
  let j = i + 1;
  while (j < n) {
    const d = sql.charCodeAt(j);
    if (d === 92 && backslash) {
      j += 2;
      continue;
    }
    if (d === quote) {
      if (j + 1 < n && sql.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  t.unterminated = true;
  return n;
}

function scanNumber(t: Tokens, sql: string, i: number): number {
  const n = sql.length;
  const start = i;
  const c = sql.charCodeAt(i);
  const x = i + 1 < n ? sql.charCodeAt(i + 1) | 0x20 : 0;
  let j = i;
  if (c === 48 && (x === 120 || x === 98) && i + 2 < n) {
    // 0x1F / 0b101
    j = i + 2;
    while (
      j < n &&
      (x === 120 ? isHex(sql.charCodeAt(j)) : sql.charCodeAt(j) === 48 || sql.charCodeAt(j) === 49)
    )
      j++;
    if (j > i + 2 && !(j < n && isWordChar(sql.charCodeAt(j)))) {
      push(t, Tok.Number, start, j, 0);
      return j;
    }
    j = i;
  }
  while (j < n && isDigit(sql.charCodeAt(j))) j++;
  let plain = true; // only digits so far: an identifier may still follow (`1t`)
  if (j < n && sql.charCodeAt(j) === 46 && !(j + 1 < n && sql.charCodeAt(j + 1) === 46)) {
    plain = false;
    j++;
    while (j < n && isDigit(sql.charCodeAt(j))) j++;
  }
  if (j < n && (sql.charCodeAt(j) | 0x20) === 101) {
    let k = j + 1;
    const s = k < n ? sql.charCodeAt(k) : 0;
    if (s === 43 || s === 45) k++;
    if (k < n && isDigit(sql.charCodeAt(k))) {
      plain = false;
      j = k;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
    }
  }
  if (plain && j < n && isWordChar(sql.charCodeAt(j))) {
    let h = FNV32_OFFSET;
    let k = start;
    while (k < n && isWordChar(sql.charCodeAt(k))) {
      h = Math.imul(h ^ upperCode(sql.charCodeAt(k)), FNV32_PRIME);
      k++;
    }
    push(t, Tok.Word, start, k, 0);
    t.kw[t.count - 1] = keywordFor(sql, start, k, h);
    return k;
  }
  push(t, Tok.Number, start, j, 0);
  return j;
}

function scanVariable(t: Tokens, sql: string, i: number, next: number, ansiQuotes: boolean): number {
  const n = sql.length;
  // 'user'@'host' and user@host in account names: the @ is glued to the user part
  if (t.count > 0 && t.end[t.count - 1] === i) {
    const prev = t.kind[t.count - 1];
    if (prev === Tok.String || prev === Tok.QuotedIdent || prev === Tok.Word) {
      push(t, Tok.Op, i, i + 1, 64);
      return i + 1;
    }
  }
  if (next === 64) {
    let j = i + 2;
    if (j < n && sql.charCodeAt(j) === 96) j = scanQuoted(t, sql, j, 96, false);
    while (j < n) {
      const d = sql.charCodeAt(j);
      if (isWordChar(d)) j++;
      else if (d === 46 && j + 1 < n && sql.charCodeAt(j + 1) === 96)
        j = scanQuoted(t, sql, j + 1, 96, false);
      else if (d === 46) j++;
      else break;
    }
    push(t, Tok.SysVar, i, j, 0);
    return j;
  }
  let j = i + 1;
  if (next === 39 || next === 96 || next === 34) {
    j = scanQuoted(t, sql, j, next, next !== 96 && !(next === 34 && ansiQuotes));
  } else {
    while (j < n) {
      const d = sql.charCodeAt(j);
      if (isWordChar(d) || d === 46) j++;
      else break;
    }
  }
  push(t, Tok.UserVar, i, j, 0);
  return j;
}

function scanOperator(t: Tokens, sql: string, i: number, c: number, next: number): number {
  let code = c;
  let len = 1;
  const third = i + 2 < sql.length ? sql.charCodeAt(i + 2) : 0;
  switch (c) {
    case 58: // :
      if (next === 61) [code, len] = [Op.Assign, 2];
      break;
    case 60: // <
      if (next === 61 && third === 62) [code, len] = [Op.NullSafeEq, 3];
      else if (next === 61) [code, len] = [Op.Le, 2];
      else if (next === 62) [code, len] = [Op.Ne, 2];
      else if (next === 60) [code, len] = [Op.Shl, 2];
      break;
    case 62: // >
      if (next === 61) [code, len] = [Op.Ge, 2];
      else if (next === 62) [code, len] = [Op.Shr, 2];
      break;
    case 33: // !
      if (next === 61) [code, len] = [Op.Ne, 2];
      break;
    case 124: // |
      if (next === 124) [code, len] = [Op.Or2, 2];
      break;
    case 38: // &
      if (next === 38) [code, len] = [Op.And2, 2];
      break;
    case 45: // -
      if (next === 62 && third === 62) [code, len] = [Op.Arrow2, 3];
      else if (next === 62) [code, len] = [Op.Arrow, 2];
      break;
    case 46: // .
      if (next === 46) [code, len] = [Op.Dots, 2];
      break;
  }
  push(t, Tok.Op, i, i + len, code);
  return i + len;
}
