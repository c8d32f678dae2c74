import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildTree } from "../../src/policy/compile/build-tree.js";
import { decide, loadTree } from "../../src/policy/compile/decide.js";
import { firstMatch } from "../../src/policy/compile/first-match.js";
import type { Action } from "../../src/policy/ir.js";
import { inputArb, rulesArb } from "./support/arbitraries.js";

const defaultAction: Action = {
  kind: "route",
  target: { kind: "pool", pool: "primary" },
  tags: [],
  log: null,
};

describe("P5: decision tree ≡ first-match", () => {
  it("agrees on random finite-domain policies and inputs", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: false }),
        fc.array(inputArb, { minLength: 1, maxLength: 20 }),
        (rules, inputs) => {
          const tree = loadTree(buildTree(rules), { rules, defaultAction });
          for (const input of inputs) expect(decide(tree, input).index).toBe(firstMatch({ rules }, input));
        },
      ),
    );
  });

  it("agrees with strings, globs, hints and tables", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: true }),
        fc.array(inputArb, { minLength: 1, maxLength: 20 }),
        (rules, inputs) => {
          const tree = loadTree(buildTree(rules), { rules, defaultAction });
          for (const input of inputs) expect(decide(tree, input).index).toBe(firstMatch({ rules }, input));
        },
      ),
    );
  });

  it("agrees when the node budget forces scan nodes", () => {
    fc.assert(
      fc.property(
        rulesArb({ strings: true }),
        fc.array(inputArb, { minLength: 1, maxLength: 10 }),
        (rules, inputs) => {
          const tree = loadTree(buildTree(rules, { maxNodes: 3 }), { rules, defaultAction });
          for (const input of inputs) expect(decide(tree, input).index).toBe(firstMatch({ rules }, input));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("never tests a fact twice on a path", () => {
    fc.assert(
      fc.property(rulesArb({ strings: true }), (rules) => {
        const tree = buildTree(rules);
        const walk = (id: number, seen: ReadonlySet<number>): void => {
          const node = tree.nodes[id]!;
          if (node.kind !== "switch") return;
          expect(seen.has(node.dim)).toBe(false);
          const next = new Set(seen).add(node.dim);
          for (const c of new Set(node.children)) walk(c, next);
        };
        walk(tree.root, new Set());
      }),
      { numRuns: 50 },
    );
  });
});
