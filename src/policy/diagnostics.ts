/**
 * Diagnostics: data, never thrown. Every one has a code documented in grammar/README.md
 * (a test checks that), a span to point at, and usually a hint saying how to fix it.
 */
import type { Span } from "./ast.js";

export type Severity = "error" | "warning";

export interface RelatedInfo {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  /** evidence: witnesses, the blocking rules, … (`= note:` lines) */
  readonly notes?: readonly string[];
  readonly related?: readonly RelatedInfo[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: file, position, code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start || a.code.localeCompare(b.code),
  );
}
