/**
 * A code frame: the offending line with one line of context either side, a gutter of line
 * numbers, `>` on the offending line and carets under the span (clipped to that line).
 */
export function codeFrame(text: string, line: number, col: number, length: number): string {
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return "";
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const src = lines[n - 1] ?? "";
    const marker = n === line ? ">" : " ";
    out.push(`${marker} ${String(n).padStart(width)} | ${src}`.trimEnd());
    if (n === line) {
      const available = Math.max(1, src.length - (col - 1));
      const carets = "^".repeat(Math.max(1, Math.min(length, available)));
      out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, col - 1))}${carets}`);
    }
  }
  return out.join("\n");
}
