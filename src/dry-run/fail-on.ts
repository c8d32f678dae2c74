/**
 * `--fail-on` conditions for CI: each counts statements in the summary; any count above zero
 * makes `sluice dry-run` exit 1.
 */
import type { Summary } from "./report.js";

export const FAIL_CONDITIONS = {
  "write-to-replica": (s: Summary) => s.safety.writesToReplica,
  "locking-to-replica": (s: Summary) => s.safety.lockingToReplica,
  "transaction-to-replica": (s: Summary) => s.safety.transactionToReplica,
  "same-connection-to-replica": (s: Summary) => s.safety.sameConnectionToReplica,
  /** all four above */
  unsafe: (s: Summary) =>
    s.safety.writesToReplica +
    s.safety.lockingToReplica +
    s.safety.transactionToReplica +
    s.safety.sameConnectionToReplica,
  /** the policy sent a write to a replica pool and only routing's safety net saved it */
  overridden: (s: Summary) => s.safety.overridden,
  deny: (s: Summary) => s.denied,
  /** routing rejected statements the policy routed (a write in a transaction held on a replica) */
  refused: (s: Summary) => s.safety.refused,
  rewrite: (s: Summary) => s.rewritten,
  unavailable: (s: Summary) => s.unavailable,
  unparsed: (s: Summary) => s.unparsed,
  /** lines of the input that could not be read */
  invalid: (s: Summary) => s.invalidLines,
  /** with --diff: any statement routed differently */
  changed: (s: Summary) => s.diff?.changed ?? 0,
} as const;

export type FailCondition = keyof typeof FAIL_CONDITIONS;
export const FAIL_CONDITION_NAMES = Object.keys(FAIL_CONDITIONS) as FailCondition[];

export type ParsedFailOn =
  | { readonly kind: "ok"; readonly conditions: readonly FailCondition[] }
  | { readonly kind: "error"; readonly message: string };

/** `write-to-replica,deny` → the conditions; unknown names are an error that lists the known ones. */
export function parseFailOn(text: string): ParsedFailOn {
  const names = text
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  const unknown = names.filter((n) => !(n in FAIL_CONDITIONS));
  if (unknown.length > 0) {
    return {
      kind: "error",
      message: `unknown --fail-on condition ${unknown.map((u) => `'${u}'`).join(", ")}; known: ${FAIL_CONDITION_NAMES.join(", ")}`,
    };
  }
  if (names.length === 0)
    return { kind: "error", message: `--fail-on needs one of: ${FAIL_CONDITION_NAMES.join(", ")}` };
  return { kind: "ok", conditions: names as FailCondition[] };
}

/** The conditions that hold, with their counts. */
export function failures(
  summary: Summary,
  conditions: readonly FailCondition[],
): { condition: FailCondition; count: number }[] {
  const out: { condition: FailCondition; count: number }[] = [];
  for (const condition of conditions) {
    const count = FAIL_CONDITIONS[condition](summary);
    if (count > 0) out.push({ condition, count });
  }
  return out;
}
