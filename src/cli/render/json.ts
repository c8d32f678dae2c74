/** Machine output: the diagnostics as they are (stable field names, one JSON document). */
import type { Diagnostic } from "../../policy/diagnostics.js";

export function renderJson(diagnostics: readonly Diagnostic[], files: readonly string[]): string {
  return `${JSON.stringify({ files, diagnostics }, null, 2)}\n`;
}
