/** Smart constructors and keys for conditions: folding constants keeps trees and proofs small. */
import { type Cond, FALSE, type Pred, TRUE } from "../ir.js";

export function mkNot(arg: Cond): Cond {
  if (arg.kind === "true") return FALSE;
  if (arg.kind === "false") return TRUE;
  if (arg.kind === "not") return arg.arg;
  return { kind: "not", arg };
}

export function mkAnd(args: readonly Cond[]): Cond {
  const out: Cond[] = [];
  for (const a of args) {
    if (a.kind === "false") return FALSE;
    if (a.kind === "true") continue;
    if (a.kind === "and") out.push(...a.args);
    else out.push(a);
  }
  return out.length === 0 ? TRUE : out.length === 1 ? out[0]! : { kind: "and", args: out };
}

export function mkOr(args: readonly Cond[]): Cond {
  const out: Cond[] = [];
  for (const a of args) {
    if (a.kind === "true") return TRUE;
    if (a.kind === "false") continue;
    if (a.kind === "or") out.push(...a.args);
    else out.push(a);
  }
  return out.length === 0 ? FALSE : out.length === 1 ? out[0]! : { kind: "or", args: out };
}

const predKeys = new WeakMap<Pred, string>();
export function predKey(pred: Pred): string {
  let key = predKeys.get(pred);
  if (key === undefined) {
    key = JSON.stringify(pred);
    predKeys.set(pred, key);
  }
  return key;
}

/** Replaces predicates by constants where `known` knows them, folding as it goes. */
export function restrict(cond: Cond, known: (pred: Pred) => boolean | undefined): Cond {
  switch (cond.kind) {
    case "true":
    case "false":
      return cond;
    case "pred": {
      const v = known(cond.pred);
      return v === undefined ? cond : v ? TRUE : FALSE;
    }
    case "not": {
      const arg = restrict(cond.arg, known);
      return arg === cond.arg ? cond : mkNot(arg);
    }
    case "and":
    case "or": {
      let changed = false;
      const args = cond.args.map((a) => {
        const r = restrict(a, known);
        if (r !== a) changed = true;
        return r;
      });
      if (!changed) return cond;
      return cond.kind === "and" ? mkAnd(args) : mkOr(args);
    }
  }
}

/** The first predicate in reading order, or undefined for a constant. */
export function firstPred(cond: Cond): Pred | undefined {
  switch (cond.kind) {
    case "true":
    case "false":
      return undefined;
    case "pred":
      return cond.pred;
    case "not":
      return firstPred(cond.arg);
    case "and":
    case "or":
      for (const a of cond.args) {
        const p = firstPred(a);
        if (p) return p;
      }
      return undefined;
  }
}

export function collectPreds(cond: Cond, out: Pred[] = []): Pred[] {
  switch (cond.kind) {
    case "pred":
      out.push(cond.pred);
      break;
    case "not":
      collectPreds(cond.arg, out);
      break;
    case "and":
    case "or":
      for (const a of cond.args) collectPreds(a, out);
      break;
    default:
      break;
  }
  return out;
}
