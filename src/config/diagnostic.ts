/**
 * A problem found in a configuration file: data, not an exception, so `sluice serve`, a reload and
 * a future `sluice config check` can all render the same list (text now, JSON/SARIF later).
 */
export interface ConfigDiagnostic {
  readonly code: ConfigDiagnosticCode;
  readonly severity: "error" | "warning";
  /** where in the document, e.g. `servers[1].port`; "" for the document itself */
  readonly path: string;
  readonly message: string;
  /** what to do about it */
  readonly hint: string | null;
  readonly file: string;
  /** 1-based line and column of the start of the offending span */
  readonly line: number;
  readonly col: number;
  /** the source lines around the span with a caret line under it */
  readonly frame: string;
}

/** One code per kind of mistake, stable across versions so that docs and scripts can cite them. */
export const ConfigCode = {
  /** the text is not valid YAML (or has a duplicate key) */
  yamlSyntax: "CFG001",
  unknownKey: "CFG002",
  missingKey: "CFG003",
  wrongType: "CFG004",
  outOfRange: "CFG005",
  notAllowed: "CFG006",
  duplicateName: "CFG007",
  secretUnavailable: "CFG008",
  badPasswordHash: "CFG009",
  tlsIncomplete: "CFG010",
  passwordSource: "CFG011",
  inconsistent: "CFG012",
  fileMissing: "CFG013",
  portConflict: "CFG014",
  roleConflict: "CFG015",
  configUnreadable: "CFG016",
} as const;

export type ConfigDiagnosticCode = (typeof ConfigCode)[keyof typeof ConfigCode];

/** `file:line:col error CFG005 servers[0].port: message`, the frame, then the hint. */
export function formatConfigDiagnostic(d: ConfigDiagnostic): string {
  const where = d.path === "" ? "" : `${d.path}: `;
  const lines = [`${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${where}${d.message}`];
  if (d.frame !== "") lines.push(d.frame);
  if (d.hint !== null) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

/** Turns `["servers", 1, "port"]` into `servers[1].port`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}
