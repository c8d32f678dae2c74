/** SARIF 2.1.0, for code-scanning dashboards. One run, one rule entry per code used. */
import { DIAGNOSTIC_CODES } from "../../policy/diagnostic-codes.js";
import type { Diagnostic } from "../../policy/diagnostics.js";

export function renderSarif(diagnostics: readonly Diagnostic[], version: string): string {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const titles: Record<string, { title: string }> = DIAGNOSTIC_CODES;
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "sluice",
            version,
            informationUri: "https://github.com/sluice/sluice/blob/main/grammar/README.md",
            rules: codes.map((code) => ({
              id: code,
              name: titles[code]?.title ?? code,
              shortDescription: { text: titles[code]?.title ?? code },
              helpUri: `https://github.com/sluice/sluice/blob/main/grammar/README.md#${code.toLowerCase()}`,
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: codes.indexOf(d.code),
          level: d.severity === "error" ? "error" : "warning",
          message: {
            text: [d.message, ...(d.notes ?? []), ...(d.hint ? [`help: ${d.hint}`] : [])].join("\n"),
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.span.file },
                region: {
                  startLine: d.span.line,
                  startColumn: d.span.column,
                  endLine: d.span.endLine,
                  endColumn: d.span.endColumn,
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
