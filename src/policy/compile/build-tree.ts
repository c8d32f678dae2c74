/**
 * Rules → decision tree. At each node the first rule still alive picks the fact to test next;
 * a switch on that fact's classes fixes every predicate on it at once, so no fact is tested
 * twice on a path. Subtrees are hash-consed: equal outcomes share one node, and a switch whose
 * children are all the same node disappears.
 */

import { collectPreds, predKey, restrict } from "../domain/cond-ops.js";
import { buildDimensions, type Dimension, dimIdOf } from "../domain/dimensions.js";
import type { CheckedRule, Cond } from "../ir.js";
import type { TreeData, TreeNode } from "./tree.js";

export interface BuildOptions {
  /** beyond this many nodes the remaining rules are scanned in order */
  readonly maxNodes?: number;
}

interface Live {
  readonly rule: number;
  readonly cond: Cond;
}

/**
 * The next fact to switch on: among the facts the first live rule tests, the one most live
 * rules test (ties: the first rule's reading order). Testing widely shared facts early (kind,
 * family, writes) lets whole groups of rules drop out together, which keeps the tree small.
 */
function chooseDim(alive: readonly Live[], dimsOf: (c: Cond) => ReadonlySet<string>): string {
  const counts = new Map<string, number>();
  for (const l of alive)
    for (const id of new Set(collectPreds(l.cond).map(dimIdOf))) counts.set(id, (counts.get(id) ?? 0) + 1);
  const candidates = [...dimsOf(alive[0]!.cond)];
  let best = candidates[0]!;
  for (const c of candidates) if ((counts.get(c) ?? 0) > (counts.get(best) ?? 0)) best = c;
  return best;
}

export function buildTree(rules: readonly CheckedRule[], options: BuildOptions = {}): TreeData {
  const maxNodes = options.maxNodes ?? 4_000;
  const dimMap = buildDimensions(rules.flatMap((r) => collectPreds(r.condition)));
  const dims = [...dimMap.values()];
  const dimIndex = new Map(dims.map((d, i) => [d.id, i]));
  const nodes: TreeNode[] = [];
  const interned = new Map<string, number>();
  const memo = new Map<string, number>();
  const condIds = new WeakMap<Cond, string>();
  const predIds = new Map<string, number>();

  const intern = (node: TreeNode): number => {
    const key = JSON.stringify(node);
    let id = interned.get(key);
    if (id === undefined) {
      id = nodes.length;
      nodes.push(node);
      interned.set(key, id);
    }
    return id;
  };
  const condKey = (c: Cond): string => {
    let k = condIds.get(c);
    if (k !== undefined) return k;
    switch (c.kind) {
      case "true":
      case "false":
        k = c.kind[0]!;
        break;
      case "pred": {
        const pk = predKey(c.pred);
        let id = predIds.get(pk);
        if (id === undefined) {
          id = predIds.size;
          predIds.set(pk, id);
        }
        k = `p${id}`;
        break;
      }
      case "not":
        k = `!${condKey(c.arg)}`;
        break;
      default:
        k = `${c.kind === "and" ? "&" : "|"}(${c.args.map(condKey).join(",")})`;
    }
    condIds.set(c, k);
    return k;
  };

  const mentions = new WeakMap<Cond, ReadonlySet<string>>();
  const dimsOf = (c: Cond): ReadonlySet<string> => {
    let set = mentions.get(c);
    if (!set) {
      set = new Set(collectPreds(c).map(dimIdOf));
      mentions.set(c, set);
    }
    return set;
  };

  const build = (live: readonly Live[]): number => {
    const alive = live.filter((l) => l.cond.kind !== "false");
    const first = alive[0];
    if (first === undefined) return intern({ kind: "leaf", rule: -1 });
    if (first.cond.kind === "true") return intern({ kind: "leaf", rule: first.rule });
    const key = alive.map((l) => `${l.rule}:${condKey(l.cond)}`).join(" ");
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let id: number;
    if (nodes.length >= maxNodes) {
      id = intern({ kind: "scan", rules: alive.map((l) => l.rule) });
    } else {
      const dim: Dimension = dimMap.get(chooseDim(alive.slice(0, 24), dimsOf))!;
      const children = dim.classes.map((_, c) =>
        build(
          alive.map((l) =>
            // only rules that test this fact change; the rest are shared as they are
            !dimsOf(l.cond).has(dim.id)
              ? l
              : {
                  rule: l.rule,
                  cond: restrict(l.cond, (p) => {
                    if (dimIdOf(p) !== dim.id) return undefined;
                    return dim.truth[dim.predIndex.get(predKey(p))!]![c];
                  }),
                },
          ),
        ),
      );
      id = children.every((c) => c === children[0])
        ? children[0]!
        : intern({ kind: "switch", dim: dimIndex.get(dim.id)!, children });
    }
    memo.set(key, id);
    return id;
  };

  const root = build(rules.map((r) => ({ rule: r.index, cond: r.condition })));
  return { dims: dims.map((d) => d.data), nodes, root };
}
