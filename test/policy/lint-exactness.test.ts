import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Facts, SameConnectionNeed, StatementKind } from "../../src/classifier/facts.js";
import { evalCond, firstMatch } from "../../src/policy/compile/first-match.js";
import { BASE_FACTS, BASE_SESSION } from "../../src/policy/domain/base-input.js";
import { FEASIBLE } from "../../src/policy/domain/feasibility.js";
import type { DecisionInput } from "../../src/policy/input.js";
import type { Action, CheckedPolicy, CheckedRule } from "../../src/policy/ir.js";
import { lintPolicy } from "../../src/policy/lint/index.js";
import { KINDS, rulesArb } from "./support/arbitraries.js";

const span = { file: "gen.policy", start: 0, end: 1, line: 1, column: 1, endLine: 1, endColumn: 2 };
const toPrimary: Action = { kind: "route", target: { kind: "pool", pool: "primary" }, tags: [], log: null };

/** Every input that matters to the finite vocabulary of the generator: the named kinds plus two
 *  others, every locking mode, every boolean, every subset of the named needs plus one more. */
function universe(): DecisionInput[] {
  const kinds: StatementKind[] = [...KINDS, "delete", "unknown"];
  const lockings: Facts["locking"][] = ["none", "for_update", "for_share", "lock_in_share_mode"];
  const needs: SameConnectionNeed[] = ["found_rows", "last_insert_id", "warnings", "row_count"];
  const subsets = Array.from({ length: 1 << needs.length }, (_, m) =>
    needs.filter((_, j) => (m & (1 << j)) !== 0),
  );
  const out: DecisionInput[] = [];
  for (const kind of kinds)
    for (const locking of lockings)
      for (const sameConnection of subsets)
        for (let b = 0; b < 16; b++) {
          const temporary = (b & 8) !== 0;
          out.push({
            facts: {
              ...BASE_FACTS,
              kind,
              locking,
              sameConnection,
              writes: (b & 1) !== 0,
              tables: temporary ? [{ schema: null, name: "orders" }] : [],
            },
            session: {
              ...BASE_SESSION,
              inTransaction: (b & 2) !== 0,
              readOnlyTransaction: (b & 4) !== 0,
              temporaryTables: temporary ? ["orders"] : [],
            },
          });
        }
  return out.filter((i) => evalCond(FEASIBLE, i));
}

const inputs = universe();

describe("P8: on finite domains lint equals brute force", () => {
  it("a rule is reported dead exactly when no input reaches it", () => {
    fc.assert(
      fc.property(rulesArb({ strings: false }, 6), (rules: CheckedRule[]) => {
        const policy: CheckedPolicy = {
          files: [],
          pools: [],
          rules,
          defaultAction: toPrimary,
          defaultSpan: span,
        };
        const reached = new Set(inputs.map((i) => firstMatch(policy, i)));
        const { deadRules } = lintPolicy(policy);
        for (let i = 0; i < rules.length; i++) expect(deadRules.has(i)).toBe(!reached.has(i));
      }),
      { numRuns: 25 },
    );
  });
});
