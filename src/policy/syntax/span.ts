import type { IToken } from "chevrotain";
import type { Span } from "../ast.js";

/** Span of a token; chevrotain positions are inclusive, ours are end-exclusive. */
export function tokenSpan(file: string, token: IToken): Span {
  const line = token.startLine ?? 1;
  const column = token.startColumn ?? 1;
  return {
    file,
    start: token.startOffset,
    end: (token.endOffset ?? token.startOffset) + 1,
    line,
    column,
    endLine: token.endLine ?? line,
    endColumn: (token.endColumn ?? column) + 1,
  };
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return {
    file: a.file,
    start: a.start,
    end: b.end,
    line: a.line,
    column: a.column,
    endLine: b.endLine,
    endColumn: b.endColumn,
  };
}

/** Span of a character range, computing line/column from the text. */
export function offsetSpan(file: string, text: string, start: number, end: number): Span {
  const pos = (offset: number): { line: number; column: number } => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  };
  const a = pos(start);
  const b = pos(end);
  return { file, start, end, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}
