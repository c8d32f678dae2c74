/**
 * The reference reading of a policy: try the rules in order, the first whose condition holds
 * decides. Deliberately plain; the decision tree must agree with it on every input (P5).
 */
import type { DecisionInput } from "../input.js";
import { boolFact, enumFact, stringFact, TABLE_DIMS, tableSetFact, wordSetFact } from "../input.js";
import type { CheckedPolicy, Cond, Pattern, Pred } from "../ir.js";
import { patternRegExp, tableLiteral, tablePattern } from "../pattern.js";

const regexCache = new Map<string, RegExp>();
function regex(pattern: Pattern): RegExp {
  const key = JSON.stringify(pattern);
  let re = regexCache.get(key);
  if (!re) {
    re = patternRegExp(pattern);
    regexCache.set(key, re);
  }
  return re;
}

export function evalPred(pred: Pred, input: DecisionInput): boolean {
  switch (pred.kind) {
    case "bool":
      return boolFact(input, pred.dim);
    case "enum-in":
      return pred.values.includes(enumFact(input, pred.dim));
    case "str-in": {
      const v = stringFact(input, pred.dim);
      return v !== null && pred.values.includes(v);
    }
    case "str-match": {
      const v = stringFact(input, pred.dim);
      return v !== null && regex(pred.pattern).test(v);
    }
    case "str-present":
      return stringFact(input, pred.dim) !== null;
    case "set-nonempty":
      return TABLE_DIMS.has(pred.dim)
        ? tableSetFact(input, pred.dim).length > 0
        : wordSetFact(input, pred.dim).length > 0;
    case "set-has":
      if (TABLE_DIMS.has(pred.dim)) {
        const schema = input.session.schema;
        return tableSetFact(input, pred.dim).some((t) =>
          pred.values.some((text) => {
            const lit = tableLiteral(text);
            return lit.name === t.name && (lit.schema === null || lit.schema === (t.schema ?? schema));
          }),
        );
      }
      return wordSetFact(input, pred.dim).some((v) => pred.values.includes(v));
    case "set-match":
      if (TABLE_DIMS.has(pred.dim)) {
        const tp = tablePattern(pred.pattern);
        return tableSetFact(input, pred.dim).some((t) => {
          if (!tp.name.test(t.name)) return false;
          if (tp.schema === null) return true;
          const s = t.schema ?? input.session.schema;
          return s !== null && tp.schema.test(s);
        });
      }
      return wordSetFact(input, pred.dim).some((v) => regex(pred.pattern).test(v));
  }
}

export function evalCond(cond: Cond, input: DecisionInput): boolean {
  switch (cond.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "pred":
      return evalPred(cond.pred, input);
    case "not":
      return !evalCond(cond.arg, input);
    case "and":
      return cond.args.every((a) => evalCond(a, input));
    case "or":
      return cond.args.some((a) => evalCond(a, input));
  }
}

/** Index of the first matching rule, or -1 for the default. */
export function firstMatch(policy: Pick<CheckedPolicy, "rules">, input: DecisionInput): number {
  for (const rule of policy.rules) if (evalCond(rule.condition, input)) return rule.index;
  return -1;
}
