/**
 * Why a decision came out as it did: the tree path taken, and for each earlier rule the parts
 * of its condition that did not hold for this input.
 */
import type { DecisionInput } from "../input.js";
import { boolFact, enumFact, stringFact, TABLE_DIMS, tableSetFact, wordSetFact } from "../input.js";
import type { CheckedPolicy, Cond, Pred } from "../ir.js";
import { patternText } from "../pattern.js";
import { type Decision, decide, type RuntimeTree } from "./decide.js";
import { evalCond, evalPred } from "./first-match.js";

export interface RuleExplanation {
  readonly rule: string;
  readonly matched: boolean;
  /** for rules that did not match: the failing parts of the condition */
  readonly reasons: readonly string[];
}

export interface Explanation {
  readonly decision: Decision;
  readonly path: readonly string[];
  readonly rules: readonly RuleExplanation[];
}

export function explain(
  tree: RuntimeTree,
  policy: CheckedPolicy,
  input: DecisionInput,
  dims: readonly { dim: string }[],
): Explanation {
  const decision = decide(tree, input);
  const path: string[] = [];
  let node = tree.nodes[tree.root]!;
  while (node.kind === "switch") {
    const c = tree.classOf[node.dim]!(input);
    const dim = dims[node.dim]!.dim;
    path.push(`${dim} = ${actual(dim, input)}`);
    const next = node.children[c];
    if (next === undefined) break;
    node = tree.nodes[next]!;
  }
  const rules: RuleExplanation[] = [];
  for (const rule of policy.rules) {
    const matched = evalCond(rule.condition, input);
    rules.push({ rule: rule.name, matched, reasons: matched ? [] : failing(rule.condition, input, true) });
    if (matched) break;
  }
  return { decision, path, rules };
}

/** Parts of `cond` that make it `want`'s opposite. */
function failing(cond: Cond, input: DecisionInput, want: boolean): string[] {
  switch (cond.kind) {
    case "true":
    case "false":
      return [`the condition is always ${cond.kind}`];
    case "pred":
      return [describe(cond.pred, input, want)];
    case "not":
      return failing(cond.arg, input, !want);
    case "and":
    case "or": {
      // an `and` that should hold fails through any false part; an `or` through all of them
      const conj = (cond.kind === "and") === want;
      const bad = cond.args.filter((a) => evalCond(a, input) !== want);
      return conj ? failing(bad[0]!, input, want) : bad.flatMap((a) => failing(a, input, want));
    }
  }
}

function describe(pred: Pred, input: DecisionInput, wanted: boolean): string {
  const value = actual(pred.dim, input);
  const holds = evalPred(pred, input);
  const need = wanted ? "" : "anything but ";
  switch (pred.kind) {
    case "bool":
      return `${pred.dim} is ${holds}`;
    case "enum-in":
    case "str-in":
      return `${pred.dim} is ${value}, needed ${need}${pred.values.length === 1 ? pred.values[0] : `one of [${pred.values.join(", ")}]`}`;
    case "str-match":
    case "set-match":
      return `${pred.dim} is ${value}, which ${holds ? "matches" : "does not match"} ${patternText(pred.pattern)}`;
    case "str-present":
      return `${pred.dim} is ${value}`;
    case "set-has":
      return `${pred.dim} is ${value}, which ${holds ? "contains" : "does not contain"} ${pred.values.join(" or ")}`;
    case "set-nonempty":
      return `${pred.dim} is ${value}`;
  }
}

function actual(dim: string, input: DecisionInput): string {
  const def = dim.startsWith("hint.") ? "string" : undefined;
  try {
    if (def === "string") return JSON.stringify(stringFact(input, dim));
    switch (dim) {
      case "writes":
      case "implicit_commit":
      case "in_transaction":
      case "read_only_transaction":
      case "autocommit":
      case "pinned":
      case "temporary_table":
        return String(boolFact(input, dim));
      case "kind":
      case "family":
      case "locking":
      case "lock_wait":
      case "transaction":
      case "parse":
        return enumFact(input, dim);
      case "user":
      case "client_address":
      case "schema":
      case "previous_pool":
      case "digest":
      case "fingerprint":
        return JSON.stringify(stringFact(input, dim));
      default:
        if (TABLE_DIMS.has(dim))
          return `[${tableSetFact(input, dim)
            .map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name))
            .join(", ")}]`;
        return `[${wordSetFact(input, dim).join(", ")}]`;
    }
  } catch {
    return "?";
  }
}

export function renderExplanation(e: Explanation): string {
  const lines = [
    `decided by ${e.decision.rule === "default" ? "the default" : `rule \`${e.decision.rule}\``}`,
  ];
  if (e.path.length > 0) lines.push(`tree path: ${e.path.join(" → ")}`);
  for (const r of e.rules) {
    if (r.matched) lines.push(`  \`${r.rule}\` matched`);
    else lines.push(`  \`${r.rule}\` did not match: ${r.reasons.join("; ")}`);
  }
  return lines.join("\n");
}
