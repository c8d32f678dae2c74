import { RESERVED_FUNCTIONS } from "./expressions.js";
import { isReserved, keywordOf } from "./keywords.js";
import { C, OP_TEXT, Tok } from "./tokens.js";
import { isOp, kindAt, kwAt, skipParens, type View } from "./view.js";

/**
 * Literal-free normalised text of one statement: keywords upper-case, identifiers as written (without
 * quotes when they need none), every literal `?`, `IN (…)` lists of literals collapsed to `IN (...)`,
 * further VALUES rows collapsed to `, ...`, signs of numbers folded into the literal, one space
 * between tokens except around `.`, after `(`, before `)` and `,`, and before the `(` of a call.
 * Comments, hints and whitespace leave no trace, so they never change a digest.
 */
export function buildDigest(v: View): string {
  let out = "";
  let glue = true; // no space before the next piece
  for (let i = v.from; i < v.to; i++) {
    const kind = v.t.kind[i];
    let piece: string;
    let glueAfter = false;
    switch (kind) {
      case Tok.Word: {
        const kw = v.t.kw[i] ?? null;
        piece = kw ?? v.t.sql.slice(v.t.start[i], v.t.end[i]);
        if ((kw === "IN" || kw === "VALUES" || kw === "VALUE") && isOp(v, i + 1, C.lparen)) {
          const list = collapse(v, i, kw === "IN");
          if (list !== null) {
            out += `${glue ? "" : " "}${piece} ${list.text}`;
            glue = false;
            i = list.next - 1;
            continue;
          }
        }
        break;
      }
      case Tok.QuotedIdent:
        piece = quotedIdent(v.t.sql.slice(v.t.start[i], v.t.end[i]));
        break;
      case Tok.String:
        // adjacent strings are one literal ('a' 'b')
        while (kindAt(v, i + 1) === Tok.String) i++;
        piece = "?";
        break;
      case Tok.Number:
      case Tok.Param:
        piece = "?";
        break;
      case Tok.Semicolon:
        // only inside compound statements (BEGIN … ; … END)
        piece = ";";
        glue = true;
        break;
      case Tok.UserVar:
      case Tok.SysVar:
        piece = v.t.sql.slice(v.t.start[i], v.t.end[i]).toLowerCase();
        break;
      default: {
        const op = v.t.op[i] ?? 0;
        if ((op === C.minus || op === C.plus) && kindAt(v, i + 1) === Tok.Number && isUnaryPosition(v, i)) {
          continue; // -1 and 1 are the same literal
        }
        piece = op < 1000 ? String.fromCharCode(op) : (OP_TEXT[op] ?? "");
        if (op === C.lparen) {
          if (i > v.from && isCallName(v, i - 1)) glue = true;
          glueAfter = true;
        } else if (op === C.rparen || op === C.comma) glue = true;
        else if (op === C.dot) {
          glue = true;
          glueAfter = true;
        } else if (op === 64 /* @ in 'user'@'host' */) {
          glue = true;
          glueAfter = true;
        }
      }
    }
    out += glue ? piece : ` ${piece}`;
    glue = glueAfter;
  }
  return out;
}

/** The token before `(` makes it a call (or a name with a column list): no space between. */
function isCallName(v: View, i: number): boolean {
  const k = kindAt(v, i);
  if (k === Tok.QuotedIdent) return true;
  if (k !== Tok.Word) return false;
  const kw = v.t.kw[i] ?? null;
  if (kw === "VALUES" || kw === "VALUE") {
    // VALUES(col) is a call only inside ON DUPLICATE KEY UPDATE, after an operator
    return i > v.from && kindAt(v, i - 1) === Tok.Op && !isOp(v, i - 1, C.rparen);
  }
  return kw === null || !isReserved(kw) || RESERVED_FUNCTIONS.has(kw);
}

/** A sign is unary at the start, after an operator other than `)`, or after a reserved word. */
function isUnaryPosition(v: View, i: number): boolean {
  if (i === v.from) return true;
  const k = kindAt(v, i - 1);
  if (k === Tok.Op) return !isOp(v, i - 1, C.rparen);
  if (k === Tok.Word) return isReserved(kwAt(v, i - 1));
  return false;
}

function isLiteralToken(v: View, i: number): boolean {
  const k = kindAt(v, i);
  if (k === Tok.String || k === Tok.Number || k === Tok.Param) return true;
  const kw = kwAt(v, i);
  return kw === "NULL" || kw === "TRUE" || kw === "FALSE";
}

/**
 * `IN (lit, lit, …)` → `(...)`; `VALUES (…), (…), …` → first row normalised + `, ...`.
 * Returns null when the list is not collapsible (IN with a subquery or expressions).
 */
function collapse(v: View, i: number, isIn: boolean): { text: string; next: number } | null {
  const open = i + 1;
  if (isIn) {
    let j = open + 1;
    for (;;) {
      if ((isOp(v, j, C.minus) || isOp(v, j, C.plus)) && kindAt(v, j + 1) === Tok.Number) j++;
      if (!isLiteralToken(v, j)) return null;
      j++;
      while (kindAt(v, j) === Tok.String) j++;
      if (isOp(v, j, C.rparen)) return { text: "(...)", next: j + 1 };
      if (!isOp(v, j, C.comma)) return null;
      j++;
    }
  }
  const close = skipParens(v, open);
  if (!isOp(v, close, C.comma) || !isOp(v, close + 1, C.lparen)) return null;
  const first = buildDigest({ t: v.t, from: open, to: close });
  let j = close;
  while (isOp(v, j, C.comma) && isOp(v, j + 1, C.lparen)) j = skipParens(v, j + 1);
  return { text: `${first}, ...`, next: j };
}

/** `name` → name when it needs no quotes (keywords upper-cased as if written bare). */
function quotedIdent(text: string): string {
  const q = text.charAt(0);
  const body = text.slice(1, text.length > 1 && text.endsWith(q) ? -1 : undefined);
  if (body.length === 0) return text;
  let simple = true;
  for (let k = 0; k < body.length; k++) {
    const c = body.charCodeAt(k);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
    if (!ok) {
      simple = false;
      break;
    }
  }
  if (!simple)
    return `\`${body
      .split(q + q)
      .join(q)
      .replaceAll("`", "``")}\``;
  const kw = keywordOf(body);
  // a reserved word can only be a name when quoted: keep the quotes so the digest stays unambiguous
  if (kw !== null && isReserved(kw)) return `\`${body}\``;
  return kw ?? body;
}
