/**
 * SLU304: a rule (or the default) that can send a write, a locking read, a statement of a
 * read-write transaction or a same-connection statement to a pool that may be a replica.
 * Conservative: pools named by explicit servers, role `any`, and fallbacks count as replicas.
 */

import { classify } from "../../classifier/classify.js";
import type { Diagnostic } from "../diagnostics.js";
import { UNSAFE_FOR_REPLICA, UNSAFE_FOR_STAY } from "../domain/feasibility.js";
import { type Action, actionTarget, type Cond, type PoolSpec } from "../ir.js";
import { type LintContext, mkAnd, ruleSpan } from "./context.js";

export function mayReachReplica(
  pools: readonly PoolSpec[],
  name: string,
  seen: Set<string> = new Set(),
): boolean {
  const pool = pools.find((p) => p.name === name);
  if (!pool || seen.has(name)) return false;
  seen.add(name);
  if (pool.select.kind === "servers" || pool.select.role !== "primary") return true;
  return pool.fallback.kind === "pool" && mayReachReplica(pools, pool.fallback.pool, seen);
}

export function unsafeRoutes(ctx: LintContext, skip: ReadonlySet<number>): Diagnostic[] {
  const { policy } = ctx;
  const out: Diagnostic[] = [];
  const check = (i: number, action: Action, name: string) => {
    const target = actionTarget(action);
    if (!target) return;
    const replica = target.kind === "pool" && mayReachReplica(policy.pools, target.pool);
    let unsafe: Cond | null = target.kind === "stay" ? UNSAFE_FOR_STAY : replica ? UNSAFE_FOR_REPLICA : null;
    if (unsafe && action.kind === "respond" && action.response.kind === "expand")
      unsafe = expansionUnsafe(action.response.sql, replica);
    if (!unsafe) return;
    const reach = i < 0 ? ctx.reachDefault() : ctx.reach(i);
    const a = ctx.solve(mkAnd([reach, unsafe]));
    if (!a) return;
    const w = ctx.witness(a, i);
    const where =
      target.kind === "stay"
        ? "the previous statement's connection, which may be a replica"
        : `pool \`${target.pool}\`, which may be a replica`;
    out.push({
      code: "SLU304",
      severity: "error",
      message: `${name} can send ${what(w.input)} to ${where}`,
      span: ruleSpan(policy, i),
      hint:
        target.kind === "stay"
          ? "add `not writes and locking = none` to the condition, or route writes to the primary first"
          : "route writes, locking reads, read-write transactions and same-connection statements to the primary in an earlier rule, or add `not writes and locking = none and not same_connection` to this rule",
      notes: [`for example ${w.description}${w.approximate ? " (approximate witness)" : ""}`],
    });
  };
  policy.rules.forEach((r, i) => {
    if (!skip.has(i)) check(i, r.action, `rule \`${r.name}\``);
  });
  check(-1, policy.defaultAction, "the default");
  return out;
}

/**
 * An expansion runs its own SQL, not the statement that matched: judge the expansion's facts,
 * and for replicas still the session (a read-write transaction must stay on the primary).
 */
function expansionUnsafe(sql: string, replica: boolean): Cond | null {
  const f = classify(sql);
  const statically = f.writes || f.locking !== "none" || (replica && f.sameConnection.length > 0);
  if (statically) return { kind: "true" };
  if (!replica) return null;
  return {
    kind: "and",
    args: [
      { kind: "pred", pred: { kind: "bool", dim: "in_transaction" } },
      { kind: "not", arg: { kind: "pred", pred: { kind: "bool", dim: "read_only_transaction" } } },
    ],
  };
}

function what(input: {
  facts: { writes: boolean; locking: string; sameConnection: readonly string[] };
  session: { inTransaction: boolean };
}): string {
  if (input.facts.writes) return "a write";
  if (input.facts.locking !== "none") return "a locking read";
  if (input.facts.sameConnection.length > 0) return "a same-connection statement";
  if (input.session.inTransaction) return "a statement of a read-write transaction";
  return "an unsafe statement";
}
