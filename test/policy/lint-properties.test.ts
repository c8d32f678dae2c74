import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evalCond, firstMatch } from "../../src/policy/compile/first-match.js";
import { FEASIBLE, UNSAFE_FOR_REPLICA } from "../../src/policy/domain/feasibility.js";
import type { Action, CheckedPolicy, CheckedRule, PoolSpec } from "../../src/policy/ir.js";
import { lintContext } from "../../src/policy/lint/context.js";
import { lintPolicy } from "../../src/policy/lint/index.js";
import { inputArb, rulesArb } from "./support/arbitraries.js";

const span = { file: "gen.policy", start: 0, end: 1, line: 1, column: 1, endLine: 1, endColumn: 2 };
const pool = (name: string, role: "primary" | "replica"): PoolSpec => ({
  name,
  select: { kind: "role", role },
  balance: "least-active",
  maxLagMs: null,
  fallback: { kind: "error" },
  consistency: { kind: "none" },
  span,
});
const toPrimary: Action = { kind: "route", target: { kind: "pool", pool: "primary" }, tags: [], log: null };

function policyOf(rules: CheckedRule[], defaultAction: Action = toPrimary): CheckedPolicy {
  return {
    files: ["gen.policy"],
    pools: [pool("primary", "primary"), pool("replicas", "replica")],
    rules,
    defaultAction,
    defaultSpan: span,
  };
}

const feasibleInput = inputArb.filter((i) => evalCond(FEASIBLE, i));

describe("lint analyses", () => {
  it("a rule reported dead (shadowed, redundant upward or contradictory) never fires", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: true }),
        fc.array(feasibleInput, { minLength: 5, maxLength: 30 }),
        (rules, inputs) => {
          const policy = policyOf(rules);
          const { deadRules } = lintPolicy(policy);
          for (const input of inputs) expect(deadRules.has(firstMatch(policy, input))).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("on finite domains every live rule has a witness, and replaying it fires that rule (P6)", () => {
    fc.assert(
      fc.property(rulesArb({ strings: false }), (rules) => {
        const policy = policyOf(rules);
        const ctx = lintContext(policy);
        const { deadRules } = lintPolicy(policy);
        rules.forEach((_, i) => {
          const a = ctx.solve(ctx.reach(i));
          expect(a === null).toBe(deadRules.has(i));
          if (a) {
            const w = ctx.witness(a, i);
            expect(w.approximate).toBe(false);
            expect(evalCond(FEASIBLE, w.input)).toBe(true);
            expect(firstMatch(policy, w.input)).toBe(i);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it("with strings and patterns, every witness the solver finds fires its rule unless marked approximate", () => {
    fc.assert(
      fc.property(rulesArb({ strings: true }), (rules) => {
        const policy = policyOf(rules);
        const ctx = lintContext(policy);
        rules.forEach((_, i) => {
          const a = ctx.solve(ctx.reach(i));
          if (!a) return;
          const w = ctx.witness(a, i);
          if (!w.approximate) expect(firstMatch(policy, w.input)).toBe(i);
        });
      }),
      { numRuns: 40 },
    );
  });

  it("P14: no unsafe-route finding ⇒ no feasible unsafe input is routed to a replica", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: true }),
        fc.array(feasibleInput, { minLength: 5, maxLength: 30 }),
        (rules, inputs) => {
          const policy = policyOf(rules);
          const unsafe = lintPolicy(policy).diagnostics.some((d) => d.code === "SLU304");
          if (unsafe) return;
          for (const input of inputs) {
            const i = firstMatch(policy, input);
            const action = i < 0 ? policy.defaultAction : rules[i]!.action;
            const toReplica =
              action.kind === "route" && action.target.kind === "pool" && action.target.pool === "replicas";
            if (toReplica) expect(evalCond(UNSAFE_FOR_REPLICA, input)).toBe(false);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it("P9: deleting a rule reported redundant changes no decision", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: true }),
        fc.array(feasibleInput, { minLength: 5, maxLength: 30 }),
        (rules, inputs) => {
          const policy = policyOf(rules);
          for (const d of lintPolicy(policy).diagnostics.filter((x) => x.code === "SLU303")) {
            const name = /rule `([^`]+)`/.exec(d.message)![1];
            const kept = rules.filter((r) => r.name !== name).map((r, index) => ({ ...r, index }));
            const reduced = policyOf(kept);
            for (const input of inputs) {
              const a = firstMatch(policy, input);
              const b = firstMatch(reduced, input);
              const actionA = a < 0 ? policy.defaultAction : rules[a]!.action;
              const actionB = b < 0 ? reduced.defaultAction : kept[b]!.action;
              expect(actionB).toEqual(actionA);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
