/** A source excerpt with a caret line under the span, as compilers print them. */
import type { Span } from "../../policy/ast.js";

export function codeFrame(text: string, span: Span, color = false): string {
  const lines = text.split("\n");
  const first = Math.max(1, span.line - 1);
  const last = Math.min(lines.length, span.line);
  const width = String(span.endLine).length;
  const bar = `${" ".repeat(width)} |`;
  const out = [bar];
  for (let n = first; n <= last; n++) {
    const content = (lines[n - 1] ?? "").replace(/\t/g, " ");
    out.push(`${String(n).padStart(width)} | ${content}`);
    if (n === span.line) {
      const end = span.endLine === span.line ? span.endColumn : content.length + 1;
      const len = Math.max(1, end - span.column);
      const caret = "^".repeat(len);
      out.push(
        `${bar} ${" ".repeat(Math.max(0, span.column - 1))}${color ? `\u001b[31m${caret}\u001b[0m` : caret}`,
      );
    }
  }
  return out.join("\n");
}
