/**
 * SLU302 shadowed / SLU303 redundant (upward): every input that satisfies the rule is taken by
 * earlier rules. Sound: the abstraction over-approximates, so a rule reported here truly never
 * fires. Prints the smallest blocking set found and a witness the first blocker takes.
 */

import { firstMatch } from "../compile/first-match.js";
import type { Diagnostic } from "../diagnostics.js";
import { describeAction, type LintContext, mkAnd, mkNot, mkOr, sameAction } from "./context.js";

export function shadowedRules(
  ctx: LintContext,
  skip: ReadonlySet<number>,
): { diagnostics: Diagnostic[]; dead: Set<number> } {
  const diagnostics: Diagnostic[] = [];
  const dead = new Set<number>();
  const rules = ctx.policy.rules;
  rules.forEach((rule, i) => {
    if (skip.has(i) || ctx.solve(ctx.reach(i)) !== null) return;
    dead.add(i);
    // earlier rules overlapping this one, then drop each that the others make unnecessary
    let blockers = rules
      .slice(0, i)
      .filter((r) => ctx.solve(mkAnd([ctx.feasible[i]!, r.condition])) !== null)
      .map((r) => r.index);
    for (const b of [...blockers].reverse()) {
      const without = blockers.filter((x) => x !== b);
      if (ctx.solve(mkAnd([ctx.feasible[i]!, ...without.map((x) => mkNot(rules[x]!.condition))])) === null)
        blockers = without;
    }
    const allSame = blockers.every((b) => sameAction(rules[b]!.action, rule.action));
    const names = blockers.map((b) => `\`${rules[b]!.name}\``).join(", ");
    const a = ctx.solve(ctx.feasible[i]!);
    const notes: string[] = [];
    if (a) {
      const w = ctx.witness(a, i);
      const taker = firstMatch(ctx.policy, w.input);
      const takerName = taker < 0 ? "the default" : `\`${rules[taker]!.name}\``;
      notes.push(
        `for example ${w.description}: ${takerName} matches first${w.approximate ? " (approximate witness)" : ""}`,
      );
    }
    notes.push(`covered by ${names}`);
    diagnostics.push(
      allSame
        ? {
            code: "SLU303",
            severity: "warning",
            message: `rule \`${rule.name}\` is redundant: earlier rules already ${describeAction(rule.action)} for everything it matches`,
            span: rule.span,
            hint: "delete it, or move it above the rules that cover it if it documents intent",
            notes,
          }
        : {
            code: "SLU302",
            severity: "error",
            message: `rule \`${rule.name}\` is shadowed: earlier rules match everything it matches`,
            span: rule.span,
            hint: `move it above ${names}, or narrow ${blockers.length > 1 ? "their conditions" : "that rule's condition"}`,
            notes,
            related: blockers.map((b) => ({
              span: rules[b]!.span,
              message: `\`${rules[b]!.name}\` covers part of it`,
            })),
          },
    );
  });
  return { diagnostics, dead };
}

/** SLU303 (downward): the rule fires, but removing it would change no decision. */
export function redundantRules(ctx: LintContext, skip: ReadonlySet<number>): Diagnostic[] {
  const rules = ctx.policy.rules;
  const out: Diagnostic[] = [];
  rules.forEach((rule, i) => {
    if (skip.has(i)) return;
    const later = rules.slice(i + 1);
    const differs = mkOr([
      ...later.map((r, k) =>
        sameAction(r.action, rule.action)
          ? { kind: "false" as const }
          : mkAnd([r.condition, ...later.slice(0, k).map((x) => mkNot(x.condition))]),
      ),
      sameAction(ctx.policy.defaultAction, rule.action)
        ? { kind: "false" as const }
        : mkAnd(later.map((x) => mkNot(x.condition))),
    ]);
    if (ctx.solve(mkAnd([ctx.reach(i), differs])) !== null) return;
    out.push({
      code: "SLU303",
      severity: "warning",
      message: `rule \`${rule.name}\` is redundant: without it every statement it matches would still ${describeAction(rule.action)}`,
      span: rule.span,
      hint: "the rules after it (or the default) decide the same; delete it unless it documents intent",
    });
  });
  return out;
}
