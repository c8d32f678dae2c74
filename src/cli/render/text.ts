/** Human output: one block per diagnostic with a code frame, then a summary line. */
import type { Diagnostic } from "../../policy/diagnostics.js";
import { codeFrame } from "./code-frame.js";

export function renderText(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  const blocks = diagnostics.map((d) => {
    const lines = [
      `${d.severity}[${d.code}]: ${d.message}`,
      `  --> ${d.span.file}:${d.span.line}:${d.span.column}`,
    ];
    const text = sources.get(d.span.file);
    if (text !== undefined) lines.push(indent(codeFrame(text, d.span)));
    for (const note of d.notes ?? []) lines.push(`   = note: ${note}`);
    for (const r of d.related ?? [])
      lines.push(`   = note: ${r.message} at ${r.span.file}:${r.span.line}:${r.span.column}`);
    if (d.hint) lines.push(`   = help: ${d.hint}`);
    return lines.join("\n");
  });
  return blocks.length === 0 ? "" : `${blocks.join("\n\n")}\n\n`;
}

function indent(frame: string): string {
  return frame
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

export function summary(diagnostics: readonly Diagnostic[], files: number): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(files, "file")} checked: ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`;
}
