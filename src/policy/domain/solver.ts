/**
 * Satisfiability over the finite dimensions: split on a dimension the condition still mentions,
 * try each class, fold, repeat. Only dimensions a condition mentions are ever enumerated, so
 * the cost follows the policy's shape, not the size of the whole fact space.
 */
import type { Cond } from "../ir.js";
import { firstPred, predKey, restrict } from "./cond-ops.js";
import { type Dimension, dimIdOf } from "./dimensions.js";

export type Assignment = ReadonlyMap<string, number>;

export function assign(cond: Cond, dim: Dimension, c: number): Cond {
  return restrict(cond, (p) =>
    dimIdOf(p) === dim.id ? dim.truth[dim.predIndex.get(predKey(p))!]![c] : undefined,
  );
}

/** An assignment of classes under which `cond` is true, or null when none exists. */
export function solve(
  cond: Cond,
  dims: ReadonlyMap<string, Dimension>,
  fixed: Assignment = new Map(),
): Assignment | null {
  let current = cond;
  for (const [id, c] of fixed) {
    const dim = dims.get(id);
    if (dim) current = assign(current, dim, c);
  }
  return search(current, dims, new Map(fixed));
}

function search(
  cond: Cond,
  dims: ReadonlyMap<string, Dimension>,
  chosen: Map<string, number>,
): Assignment | null {
  if (cond.kind === "true") return chosen;
  if (cond.kind === "false") return null;
  const pred = firstPred(cond)!;
  const dim = dims.get(dimIdOf(pred));
  if (!dim) throw new Error(`no dimension for ${pred.dim}`);
  for (let c = 0; c < dim.classes.length; c++) {
    const next = assign(cond, dim, c);
    if (next.kind === "false") continue;
    chosen.set(dim.id, c);
    const found = search(next, dims, chosen);
    if (found) return found;
    chosen.delete(dim.id);
  }
  return null;
}
