/** SLU301: a rule whose condition no feasible input satisfies. Exact over the abstraction. */
import type { Diagnostic } from "../diagnostics.js";
import type { LintContext } from "./context.js";

export function contradictoryRules(ctx: LintContext): { diagnostics: Diagnostic[]; dead: Set<number> } {
  const diagnostics: Diagnostic[] = [];
  const dead = new Set<number>();
  ctx.policy.rules.forEach((rule, i) => {
    if (ctx.solve(ctx.feasible[i]!) !== null) return;
    dead.add(i);
    diagnostics.push({
      code: "SLU301",
      severity: "error",
      message: `rule \`${rule.name}\` can never match: its condition is contradictory`,
      span: rule.span,
      hint: "no statement and session satisfy every part of the condition; fix the comparison or delete the rule",
      notes: [
        "the checker knows: a read-only transaction is a transaction; kind = unknown is a write; temporary_table needs a table",
      ],
    });
  });
  return { diagnostics, dead };
}
