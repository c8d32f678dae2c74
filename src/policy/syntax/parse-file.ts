/** lex → parse → AST for one file; every error becomes a diagnostic and parsing goes on. */
import type { IRecognitionException } from "chevrotain";
import type { PolicyFile } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { lex } from "./lexer.js";
import { parser } from "./parser.js";
import { offsetSpan, tokenSpan } from "./span.js";
import { toAst } from "./to-ast.js";

export interface ParseResult {
  readonly file: PolicyFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseFile(path: string, text: string): ParseResult {
  const lexed = lex(path, text);
  parser.input = lexed.tokens;
  const cst = parser.policy();
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  for (const error of parser.errors) diagnostics.push(syntaxDiagnostic(path, text, error));
  const ast = toAst(path, cst);
  return { file: { path, version: ast.version, items: ast.items, comments: lexed.comments }, diagnostics };
}

function syntaxDiagnostic(path: string, text: string, error: IRecognitionException): Diagnostic {
  const token = error.token;
  const atEnd = token.tokenType?.name === "EOF" || Number.isNaN(token.startOffset);
  const span = atEnd
    ? offsetSpan(path, text, text.trimEnd().length, text.trimEnd().length + 1)
    : tokenSpan(path, token);
  return {
    code: "SLU002",
    severity: "error",
    message: error.message,
    span,
    hint: syntaxHint(error.message),
  };
}

function syntaxHint(message: string): string {
  if (message.includes("'['")) return "`in` and `contains` take a list: kind in [select, insert]";
  if (message.includes("'->'")) return "a rule reads: rule <name> when <condition> -> <action>";
  if (message.includes("'when'")) return "a rule needs a condition: rule <name> when <condition> -> <action>";
  if (message.includes("'}'")) return "pool properties are `name = value` lines inside { … }";
  if (message.includes("in action"))
    return 'an action is one of: route <pool>, deny "message", rewrite …, respond …';
  if (message.includes("'='")) return "pool properties are written `name = value`";
  return "see grammar/README.md for the language reference";
}
