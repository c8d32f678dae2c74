/**
 * The seam between the simulation and Sluice's routing: a `Decider` answers, for one statement
 * in one session, what Sluice would do with it. `routingDecider` is the real one: the policy's
 * own `decide` on its compiled decision tree, then the same `route()` that `serve` runs (which
 * keeps transactions and pinned sessions on their connection and never lets a write reach a
 * replica), against a topology in which every server is up.
 */
import type { Facts } from "../classifier/facts.js";
import type { Topology } from "../monitor/types.js";
import type { PolicyBundle } from "../policy/compile/bundle.js";
import { decide, loadTree } from "../policy/compile/decide.js";
import type { PoolSpec } from "../policy/ir.js";
import type { SessionFacts } from "../policy/session-facts.js";
import type { PoolRole } from "../policy/vocabulary.js";
import type { BalanceCursor } from "../routing/balance.js";
import { type RouteContext, route, type StayReason } from "../routing/route.js";
import type { SessionState } from "../routing/session-state.js";

export type { PoolRole };

/**
 * `refused`: the policy routed the statement, but routing had to reject it — a write inside a
 * transaction (or a pinned session) that lives on a replica, answered with the server's own
 * "READ ONLY transaction" error. A policy that earns these has a hole.
 */
export type OutcomeAction = "route" | "deny" | "refused" | "rewrite" | "respond" | "unavailable";

export interface Outcome {
  readonly action: OutcomeAction;
  /** the pool the statement runs in; null when Sluice answers itself or nothing is available */
  readonly target: string | null;
  /** which servers that pool may use, from the policy's pool definition */
  readonly role: PoolRole | null;
  /** the server routing picked (in the dry-run topology), null when none */
  readonly server: string | null;
  /** that server's role in the dry-run topology */
  readonly serverRole: "primary" | "replica" | null;
  /** the rule that decided, or "default" */
  readonly rule: string;
  /** why the statement stayed on the session's connection instead of following its rule */
  readonly stay: StayReason | null;
  /** the policy sent a write or locking read to a pool without the primary; routing overrode it */
  readonly overridden: boolean;
  readonly tags: readonly string[];
}

/**
 * Decides one statement. `session` is `sessionFacts(state, previous pool)` (passed in so it is
 * built once per statement); `current` is the server the session's previous statement ran on.
 */
export type Decider = (
  facts: Facts,
  state: SessionState,
  session: SessionFacts,
  current: string | null,
) => Outcome;

export function routingDecider(bundle: PolicyBundle, topology: Topology): Decider {
  const tree = loadTree(bundle.tree, bundle.policy);
  const pools = new Map<string, PoolSpec>(bundle.policy.pools.map((p) => [p.name, p]));
  const roles = new Map<string, PoolRole>();
  // a pool of explicitly named servers may mix roles: say so rather than guess
  for (const p of bundle.policy.pools) roles.set(p.name, p.select.kind === "role" ? p.select.role : "any");
  const cursors = new Map<string, BalanceCursor>();
  const idle = { active: 0, connections: 0 };
  const ctx: RouteContext = {
    pools,
    topology,
    load: () => idle,
    cursors: (pool) => {
      let c = cursors.get(pool);
      if (c === undefined) {
        c = { next: 0 };
        cursors.set(pool, c);
      }
      return c;
    },
    // a log has no reliable clock for primary-after-write windows: consistency never applies
    now: 0,
    causalTimeoutMs: 0,
  };
  const placement = { current: null as string | null, lastWriteAt: null, lastGtid: null };

  return (facts, state, session, current) => {
    const decision = decide(tree, { facts, session });
    placement.current = current;
    const plan = route(decision, facts, state, placement, ctx);
    const tags = decision.action.tags;
    const rule = decision.rule;
    switch (plan.kind) {
      case "forward": {
        // staying on the connection: it belongs to the pool the session last ran in
        const target = plan.pool ?? session.previousPool;
        return {
          action: decision.action.kind,
          target,
          role: target === null ? null : (roles.get(target) ?? null),
          server: plan.server,
          serverRole: plan.server === topology.primary ? "primary" : "replica",
          rule,
          stay: plan.stay,
          overridden: plan.overridden,
          tags,
        };
      }
      case "deny":
        return {
          action: decision.action.kind === "deny" ? "deny" : "refused",
          target: null,
          role: null,
          server: null,
          serverRole: null,
          rule,
          stay: null,
          overridden: false,
          tags,
        };
      case "respond":
        return {
          action: "respond",
          target: null,
          role: null,
          server: null,
          serverRole: null,
          rule,
          stay: null,
          overridden: false,
          tags,
        };
      case "unavailable":
        return {
          action: "unavailable",
          target: plan.pool === "" ? null : plan.pool,
          role: roles.get(plan.pool) ?? null,
          server: null,
          serverRole: null,
          rule,
          stay: null,
          overridden: false,
          tags,
        };
    }
  };
}
