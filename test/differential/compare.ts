import { isDeepStrictEqual } from "node:util";
import type { Answer } from "./answer.js";
import type { Step } from "./grammar.js";

/** One difference between the direct answer (want) and Sluice's (got). */
export interface Mismatch {
  /** index of the step in the script; -1 for the final table contents */
  readonly step: number;
  /** the statement kind (grammar.ts), or "final-rows" */
  readonly kind: string;
  /** what differs: error, columns, column-types, rows, answer-shape, an OK packet field, final-rows */
  readonly field: string;
  readonly want: unknown;
  readonly got: unknown;
}

/** How a mismatch is counted: its kind and field, and for errors which code became which. */
export function category(m: Mismatch): string {
  if (m.field === "status" && typeof m.want === "number" && typeof m.got === "number") {
    return `${m.kind}: status ${statusDifference(m.want, m.got)}`;
  }
  if (m.field !== "error") return `${m.kind}: ${m.field}`;
  return `${m.kind}: ${errorLabel(m.want)} -> ${errorLabel(m.got)}`;
}

function errorLabel(v: unknown): string {
  return typeof v === "number" ? `error ${v}` : "ok";
}

/** Every difference, statement by statement, then in the final rows of the session's table. */
export function compareSession(
  script: readonly Step[],
  want: readonly (Answer | null)[],
  got: readonly (Answer | null)[],
  wantRows: unknown,
  gotRows: unknown,
  ignoreStatusBits = 0,
): Mismatch[] {
  const out: Mismatch[] = [];
  script.forEach((step, i) => {
    const w = want[i];
    const g = got[i];
    if (w == null || g == null || "pauseMs" in step) return;
    out.push(...compareAnswer(i, step.kind, step.shapeOnly === true, w, g, ignoreStatusBits));
  });
  if (!isDeepStrictEqual(wantRows, gotRows)) {
    out.push({ step: -1, kind: "final-rows", field: "final-rows", want: wantRows, got: gotRows });
  }
  return out;
}

function compareAnswer(
  step: number,
  kind: string,
  shapeOnly: boolean,
  w: Answer,
  g: Answer,
  ignoreStatusBits: number,
): Mismatch[] {
  const at = (field: string, want: unknown, got: unknown): Mismatch => ({ step, kind, field, want, got });
  if ("error" in w || "error" in g) {
    const we = "error" in w ? w.error.errno : null;
    const ge = "error" in g ? g.error.errno : null;
    return we === ge ? [] : [at("error", we, "error" in g ? g.error.errno : null)];
  }
  if ("columns" in w && "columns" in g) {
    const names = (a: typeof w) => a.columns.map((c) => c.name);
    const types = (a: typeof w) => a.columns.map((c) => c.type);
    const out: Mismatch[] = [];
    if (!isDeepStrictEqual(names(w), names(g))) out.push(at("columns", names(w), names(g)));
    else if (!isDeepStrictEqual(types(w), types(g))) out.push(at("column-types", types(w), types(g)));
    if (shapeOnly) {
      if (w.rows.length !== g.rows.length) out.push(at("row-count", w.rows.length, g.rows.length));
    } else if (!isDeepStrictEqual(w.rows, g.rows)) out.push(at("rows", w.rows, g.rows));
    return out;
  }
  if ("ok" in w && "ok" in g) {
    const out: Mismatch[] = [];
    for (const field of ["affectedRows", "insertId", "warnings", "info", "changes"] as const) {
      if (!isDeepStrictEqual(w.ok[field], g.ok[field])) out.push(at(field, w.ok[field], g.ok[field]));
    }
    if ((w.ok.status & ~ignoreStatusBits) !== (g.ok.status & ~ignoreStatusBits)) {
      out.push(at("status", w.ok.status, g.ok.status));
    }
    return out;
  }
  return [at("answer-shape", w, g)];
}

/** The names of the server status flags set in one value and not the other (status mismatches). */
export function statusDifference(want: number, got: number): string {
  const names = [
    "IN_TRANS",
    "AUTOCOMMIT",
    "?4",
    "MORE_RESULTS",
    "NO_GOOD_INDEX_USED",
    "NO_INDEX_USED",
    "CURSOR_EXISTS",
    "LAST_ROW_SENT",
    "DB_DROPPED",
    "NO_BACKSLASH_ESCAPES",
    "METADATA_CHANGED",
    "QUERY_WAS_SLOW",
    "PS_OUT_PARAMS",
    "IN_TRANS_READONLY",
    "SESSION_STATE_CHANGED",
  ];
  const parts: string[] = [];
  names.forEach((name, bit) => {
    const mask = 1 << bit;
    if ((want & mask) !== (got & mask)) parts.push(`${(got & mask) !== 0 ? "+" : "-"}${name}`);
  });
  return parts.join(" ");
}
