/** GitHub Actions workflow commands: each diagnostic becomes an annotation on the file. */
import type { Diagnostic } from "../../policy/diagnostics.js";

const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProp = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function renderGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const props = [
        `file=${escapeProp(d.span.file)}`,
        `line=${d.span.line}`,
        `col=${d.span.column}`,
        `endLine=${d.span.endLine}`,
        `endColumn=${d.span.endColumn}`,
        `title=${escapeProp(d.code)}`,
      ].join(",");
      const body = [
        d.message,
        ...(d.notes ?? []).map((n) => `note: ${n}`),
        ...(d.hint ? [`help: ${d.hint}`] : []),
      ].join("\n");
      return `::${d.severity === "error" ? "error" : "warning"} ${props}::${escapeData(body)}\n`;
    })
    .join("");
}
