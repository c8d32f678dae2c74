/**
 * The catalog of diagnostic codes. grammar/README.md has a section per code (a test checks
 * that each code here is documented and each code used in src/policy is listed here).
 * Ranges: SLU0xx syntax, SLU1xx structure and files, SLU2xx names and types, SLU3xx lint analyses.
 */
import type { Severity } from "./diagnostics.js";

export interface CodeInfo {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
}

export const DIAGNOSTIC_CODES = {
  SLU001: { code: "SLU001", severity: "error", title: "unexpected character" },
  SLU002: { code: "SLU002", severity: "error", title: "syntax error" },
  SLU003: { code: "SLU003", severity: "error", title: "unterminated string" },
  SLU101: { code: "SLU101", severity: "warning", title: "missing version header" },
  SLU102: { code: "SLU102", severity: "error", title: "unsupported version" },
  SLU103: { code: "SLU103", severity: "error", title: "duplicate pool" },
  SLU104: { code: "SLU104", severity: "error", title: "duplicate rule name" },
  SLU105: { code: "SLU105", severity: "error", title: "missing default" },
  SLU106: { code: "SLU106", severity: "error", title: "more than one default" },
  SLU107: { code: "SLU107", severity: "error", title: "import not found" },
  SLU108: { code: "SLU108", severity: "error", title: "import cycle" },
  SLU201: { code: "SLU201", severity: "error", title: "unknown fact" },
  SLU202: { code: "SLU202", severity: "error", title: "unknown value" },
  SLU203: { code: "SLU203", severity: "error", title: "type mismatch" },
  SLU204: { code: "SLU204", severity: "error", title: "unknown pool" },
  SLU205: { code: "SLU205", severity: "error", title: "invalid regular expression" },
  SLU206: { code: "SLU206", severity: "error", title: "unsupported regular expression flag" },
  SLU207: { code: "SLU207", severity: "error", title: "invalid deny error" },
  SLU208: { code: "SLU208", severity: "error", title: "unknown pool property" },
  SLU209: { code: "SLU209", severity: "error", title: "invalid pool property value" },
  SLU210: { code: "SLU210", severity: "error", title: "pool needs exactly one of role or servers" },
  SLU211: { code: "SLU211", severity: "error", title: "fallback cycle" },
  SLU212: { code: "SLU212", severity: "error", title: "respond row width" },
  SLU213: { code: "SLU213", severity: "error", title: "reserved name" },
  SLU214: { code: "SLU214", severity: "warning", title: "weights without weighted balance" },
  SLU215: { code: "SLU215", severity: "error", title: "invalid statement timeout" },
  SLU301: { code: "SLU301", severity: "error", title: "contradictory condition" },
  SLU302: { code: "SLU302", severity: "error", title: "shadowed rule" },
  SLU303: { code: "SLU303", severity: "warning", title: "redundant rule" },
  SLU304: { code: "SLU304", severity: "error", title: "unsafe route" },
  SLU305: { code: "SLU305", severity: "warning", title: "unused pool" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
