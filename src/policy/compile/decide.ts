/**
 * The hot path: walk the decision tree. Every decision object is built when the tree is loaded,
 * so `decide` allocates nothing per call. Past the tree's size budget, scan nodes test the
 * remaining rules in order with the same precomputed classifiers.
 */

import { collectPreds, predKey } from "../domain/cond-ops.js";
import { buildDimensions, dimIdOf } from "../domain/dimensions.js";
import type { DecisionInput } from "../input.js";
import type { Action, CheckedPolicy, Cond, Pred } from "../ir.js";
import { evalCond } from "./first-match.js";
import { type ClassOf, classOf } from "./runtime-dims.js";
import type { TreeData, TreeNode } from "./tree.js";

export interface Decision {
  readonly action: Action;
  /** the rule's name, or "default" */
  readonly rule: string;
  /** the rule's index in first-match order, -1 for the default */
  readonly index: number;
}

interface PredInfo {
  readonly dim: number;
  readonly truth: readonly boolean[];
}

export interface RuntimeTree {
  readonly preds: ReadonlyMap<Pred, PredInfo>;
  readonly nodes: readonly TreeNode[];
  readonly root: number;
  readonly classOf: readonly ClassOf[];
  /** decisions[index + 1]: the default first */
  readonly decisions: readonly Decision[];
  readonly policy: Pick<CheckedPolicy, "rules">;
}

export function loadTree(
  tree: TreeData,
  policy: Pick<CheckedPolicy, "rules" | "defaultAction">,
): RuntimeTree {
  const decisions: Decision[] = [
    Object.freeze({ action: policy.defaultAction, rule: "default", index: -1 }),
    ...policy.rules.map((r) => Object.freeze({ action: r.action, rule: r.name, index: r.index })),
  ];
  // Scan nodes evaluate conditions through the same classifiers and truth tables as the
  // switches, so they allocate nothing either.
  const dimMap = buildDimensions(policy.rules.flatMap((r) => collectPreds(r.condition)));
  const order = new Map([...dimMap.keys()].map((id, i) => [id, i]));
  const preds = new Map<Pred, PredInfo>();
  for (const r of policy.rules)
    for (const p of collectPreds(r.condition)) {
      const id = dimIdOf(p);
      const dim = dimMap.get(id)!;
      preds.set(p, { dim: order.get(id)!, truth: dim.truth[dim.predIndex.get(predKey(p))!]! });
    }
  return { preds, nodes: tree.nodes, root: tree.root, classOf: tree.dims.map(classOf), decisions, policy };
}

export function decide(tree: RuntimeTree, input: DecisionInput): Decision {
  let node = tree.nodes[tree.root]!;
  while (node.kind === "switch") {
    const c = tree.classOf[node.dim]!(input);
    const next = c < 0 ? undefined : node.children[c];
    if (next === undefined)
      return scan(
        tree,
        input,
        tree.policy.rules.map((r) => r.index),
      );
    node = tree.nodes[next]!;
  }
  if (node.kind === "leaf") return tree.decisions[node.rule + 1]!;
  return scan(tree, input, node.rules);
}

function scan(tree: RuntimeTree, input: DecisionInput, rules: readonly number[]): Decision {
  for (const i of rules)
    if (holds(tree, tree.policy.rules[i]!.condition, input)) return tree.decisions[i + 1]!;
  return tree.decisions[0]!;
}

function holds(tree: RuntimeTree, cond: Cond, input: DecisionInput): boolean {
  switch (cond.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "pred": {
      const info = tree.preds.get(cond.pred);
      if (info === undefined) return evalCond(cond, input);
      const c = tree.classOf[info.dim]!(input);
      return c < 0 ? evalCond(cond, input) : info.truth[c] === true;
    }
    case "not":
      return !holds(tree, cond.arg, input);
    case "and":
      for (const a of cond.args) if (!holds(tree, a, input)) return false;
      return true;
    case "or":
      for (const a of cond.args) if (holds(tree, a, input)) return true;
      return false;
  }
}
