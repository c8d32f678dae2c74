/**
 * The compiled policy: plain, deeply frozen data (checked rules, pools, decision tree) with a
 * content hash over its canonical form, so two policies that mean the same thing hash the same
 * whatever their layout, comments or file split.
 */
import { createHash } from "node:crypto";
import type { CheckedPolicy } from "../ir.js";
import { buildTree } from "./build-tree.js";
import type { TreeData } from "./tree.js";

export interface PolicyBundle {
  readonly format: 1;
  /** sha256 of the canonical JSON of pools, rules and default (spans excluded) */
  readonly hash: string;
  readonly policy: CheckedPolicy;
  readonly tree: TreeData;
}

export function buildBundle(policy: CheckedPolicy, options: { maxNodes?: number } = {}): PolicyBundle {
  const tree = buildTree(policy.rules, options);
  const hash = createHash("sha256")
    .update(canonicalJson(semanticContent(policy)))
    .digest("hex");
  return deepFreeze({ format: 1, hash, policy, tree });
}

export function semanticContent(policy: CheckedPolicy): unknown {
  return {
    pools: policy.pools.map(({ span: _span, ...pool }) => pool),
    rules: policy.rules.map((r) => ({ name: r.name, condition: r.condition, action: r.action })),
    default: policy.defaultAction,
  };
}

/** JSON with object keys sorted, so equal values always print the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
