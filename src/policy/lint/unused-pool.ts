/** SLU305: a pool no rule, default or fallback refers to. */
import type { Diagnostic } from "../diagnostics.js";
import type { Action, CheckedPolicy } from "../ir.js";

function poolsOf(action: Action): string[] {
  const t =
    action.kind === "route" || action.kind === "rewrite"
      ? action.target
      : action.kind === "respond" && action.response.kind === "expand"
        ? action.response.target
        : null;
  return t?.kind === "pool" ? [t.pool] : [];
}

export function unusedPools(policy: CheckedPolicy): Diagnostic[] {
  const used = new Set<string>([
    ...policy.rules.flatMap((r) => poolsOf(r.action)),
    ...poolsOf(policy.defaultAction),
    ...policy.pools.flatMap((p) => (p.fallback.kind === "pool" ? [p.fallback.pool] : [])),
  ]);
  return policy.pools
    .filter((p) => !used.has(p.name))
    .map((p) => ({
      code: "SLU305",
      severity: "warning" as const,
      message: `pool \`${p.name}\` is never used`,
      span: p.span,
      hint: "route to it from a rule, name it as a fallback, or delete it",
    }));
}
