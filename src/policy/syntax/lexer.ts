/** Stage 1: text → tokens and comments, with lexical errors as diagnostics (never thrown). */
import { type IToken, Lexer } from "chevrotain";
import type { Comment } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { offsetSpan, tokenSpan } from "./span.js";
import { ALL_TOKENS, StringTok, UnterminatedString } from "./tokens.js";

const lexer = new Lexer(ALL_TOKENS, { positionTracking: "full", ensureOptimizations: false });

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
}

export function lex(file: string, text: string): LexResult {
  const result = lexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const error of result.errors) {
    const span = offsetSpan(file, text, error.offset, error.offset + Math.max(1, error.length));
    const chars = text.slice(error.offset, error.offset + error.length);
    diagnostics.push({
      code: "SLU001",
      severity: "error",
      message: `unexpected character${chars.length > 1 ? "s" : ""} '${chars}'`,
      span,
      hint: hintForCharacter(chars),
    });
  }
  const tokens = result.tokens.map((token) => {
    if (token.tokenType !== UnterminatedString) return token;
    diagnostics.push({
      code: "SLU003",
      severity: "error",
      message: "unterminated string",
      span: tokenSpan(file, token),
      hint: 'close the string with " on the same line (strings cannot span lines)',
    });
    // Parse on as if it were closed, so one missing quote is one error, not a cascade.
    return { ...token, tokenType: StringTok, image: `${token.image}"` };
  });
  const comments = (result.groups.comments ?? []).map((token) => ({
    text: token.image,
    span: tokenSpan(file, token),
  }));
  return { tokens, comments, diagnostics };
}

function hintForCharacter(chars: string): string {
  if (chars.startsWith("'")) return 'strings use double quotes: "text"';
  if (chars.startsWith("&") || chars.startsWith("|")) return "write `and` / `or` instead of symbols";
  if (chars.startsWith("!")) return "write `not` for negation, `!=` for inequality";
  if (chars.startsWith("/")) return "a regular expression is written /pattern/flags on one line";
  if (chars.startsWith(";")) return "statements need no terminator: remove the ';'";
  return "remove it, or quote it if it is part of a value";
}
