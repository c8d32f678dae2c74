/** What every analysis shares: the dimensions of the policy's facts, the feasible space, helpers. */
import type { Span } from "../ast.js";
import { canonicalJson } from "../compile/bundle.js";
import { concretize, type Witness } from "../domain/concretize.js";
import { collectPreds, mkAnd, mkNot, mkOr } from "../domain/cond-ops.js";
import { buildDimensions, type Dimension } from "../domain/dimensions.js";
import { FEASIBLE, UNSAFE_FOR_REPLICA, UNSAFE_FOR_STAY } from "../domain/feasibility.js";
import { type Assignment, solve } from "../domain/solver.js";
import type { Action, CheckedPolicy, Cond } from "../ir.js";

export interface LintContext {
  readonly policy: CheckedPolicy;
  readonly dims: ReadonlyMap<string, Dimension>;
  /** rule i's condition within the feasible space */
  readonly feasible: readonly Cond[];
  solve(cond: Cond): Assignment | null;
  /** `rule`: its condition's facts are always shown */
  witness(a: Assignment, rule?: number): Witness;
  /** inputs that reach rule i: its condition and no earlier one */
  reach(i: number): Cond;
  /** inputs no rule matches */
  reachDefault(): Cond;
}

export function lintContext(policy: CheckedPolicy): LintContext {
  const conds = policy.rules.map((r) => r.condition);
  const dims = buildDimensions(
    [...conds, FEASIBLE, UNSAFE_FOR_REPLICA, UNSAFE_FOR_STAY].flatMap((c) => collectPreds(c)),
  );
  const feasible = conds.map((c) => mkAnd([FEASIBLE, c]));
  return {
    policy,
    dims,
    feasible,
    solve: (cond) => solve(cond, dims),
    witness: (a, rule) =>
      concretize(
        a,
        dims,
        rule === undefined || rule < 0 ? undefined : new Set(collectPreds(conds[rule]!).map((p) => p.dim)),
      ),
    reach: (i) => mkAnd([feasible[i]!, ...conds.slice(0, i).map(mkNot)]),
    reachDefault: () => mkAnd([FEASIBLE, ...conds.map(mkNot)]),
  };
}

export function sameAction(a: Action, b: Action): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function describeAction(a: Action): string {
  const target = (t: { kind: "stay" } | { kind: "pool"; pool: string }) =>
    t.kind === "stay" ? "stay" : t.pool;
  switch (a.kind) {
    case "route":
      return `route ${target(a.target)}`;
    case "deny":
      return `deny ${a.code}`;
    case "rewrite":
      return `rewrite then route ${target(a.target)}`;
    case "respond":
      return a.response.kind === "rows"
        ? "respond with rows"
        : `respond expand then route ${target(a.response.target)}`;
  }
}

export function ruleSpan(policy: CheckedPolicy, i: number): Span {
  return i < 0 ? policy.defaultSpan : policy.rules[i]!.span;
}

export { mkAnd, mkNot, mkOr };
