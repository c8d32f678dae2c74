import type { Facts } from "../classifier/facts.js";
import type { Topology } from "../monitor/types.js";
import { type Action, actionTarget, type PoolSpec } from "../policy/ir.js";
import { type BalanceCursor, type Candidate, pickServer } from "./balance.js";
import { heldUserVariablesGoneError, readsHeld } from "./held-user-variables.js";
import { type PinReason, pinReasons, type SessionState } from "./session-state.js";

/** What the policy decided for this statement (the output of `decide`). */
export interface PolicyDecision {
  readonly action: Action;
  readonly rule: string;
}

/** Runtime facts about a session that the pure session state does not hold. */
export interface Placement {
  /** server of the backend connection the session holds (leased or pinned), if any */
  readonly current: string | null;
  /**
   * server the previous statement ran on, when the session has since given its connection back:
   * where a policy `stay` goes (the same server, on a fresh connection)
   */
  readonly previous?: string | null;
  /** ms timestamp of the session's last write, for primary-after-write */
  readonly lastWriteAt: number | null;
  /** GTID of the session's last write (session tracking `last_gtid`), for causal reads */
  readonly lastGtid: string | null;
}

export interface RouteContext {
  readonly pools: ReadonlyMap<string, PoolSpec>;
  readonly topology: Topology;
  readonly load: (server: string) => { readonly active: number; readonly connections: number };
  readonly cursors: (pool: string) => BalanceCursor;
  readonly now: number;
  /** how long a causal read waits for the replica to apply the session's last write */
  readonly causalTimeoutMs: number;
  /** servers to leave out this time (a read being retried after its server failed) */
  readonly avoid?: ReadonlySet<string>;
}

export type StayReason = PinReason | "transaction" | "same_connection" | "policy";

/** The plan for one statement: a plain value the session executes. */
export type RoutePlan =
  | {
      readonly kind: "forward";
      readonly server: string;
      /** pool whose rules chose the server; null when the session stays where it is */
      readonly pool: string | null;
      readonly rule: string;
      /** why the session stays on its current connection, when it does */
      readonly stay: StayReason | null;
      /** causal read: wait for this GTID on the replica before running the statement */
      readonly waitGtid: { readonly gtid: string; readonly timeoutMs: number } | null;
      /** the policy sent a write towards a replica; Sluice sent it to the primary instead */
      readonly overridden: boolean;
    }
  | {
      readonly kind: "deny";
      readonly rule: string;
      readonly code: number;
      readonly sqlstate: string;
      readonly message: string;
    }
  | { readonly kind: "respond"; readonly rule: string; readonly action: Extract<Action, { kind: "respond" }> }
  | { readonly kind: "unavailable"; readonly rule: string; readonly pool: string; readonly message: string };

/**
 * Turns the policy's decision into a plan, applying what no policy may override: a transaction
 * never changes backend; pinned state (temporary tables, locks, prepared statements) and
 * same-connection statements (FOUND_ROWS, LAST_INSERT_ID, SHOW WARNINGS…) stay where their state
 * lives; a write never reaches a server that does not accept writes.
 */
export function route(
  decision: PolicyDecision,
  facts: Facts,
  session: SessionState,
  placement: Placement,
  ctx: RouteContext,
): RoutePlan {
  const { action, rule } = decision;
  if (action.kind === "deny") {
    return { kind: "deny", rule, code: action.code, sqlstate: action.sqlstate, message: action.message };
  }
  if (action.kind === "respond" && action.response.kind === "rows") return { kind: "respond", rule, action };

  const held = session.heldUserVariables;
  if (held !== null && readsHeld(held, facts)) {
    // the values live on one connection only: there, or an error (never another server's NULL)
    if (held.gone || placement.current !== held.server)
      return { kind: "deny", rule, ...heldUserVariablesGoneError(held.server) };
    if (facts.writes && !serverUsable(ctx.topology, held.server, true)) {
      const message = `this statement writes and reads user variables whose values live only on '${held.server}', which does not accept writes`;
      return { kind: "deny", rule, code: 1105, sqlstate: "HY000", message };
    }
    if (!serverUsable(ctx.topology, held.server, false)) {
      const message = `the server '${held.server}' holding this session's user variables is not available`;
      return { kind: "unavailable", rule, pool: "", message };
    }
    return forward(held.server, null, rule, "same_connection", null, false);
  }
  const stay = stayReason(facts, session, placement);
  if (stay !== null && placement.current !== null) {
    const current = placement.current;
    if (
      facts.writes &&
      !serverUsable(ctx.topology, current, true) &&
      serverUsable(ctx.topology, current, false)
    ) {
      // A read-only transaction (or pinned state) on a replica: the statement cannot move and a
      // replica must never see a write, so answer as the server would inside READ ONLY.
      return {
        kind: "deny",
        rule,
        code: 1792,
        sqlstate: "25006",
        message: "Cannot execute statement in a READ ONLY transaction",
      };
    }
    if (!serverUsable(ctx.topology, current, false)) {
      return {
        kind: "unavailable",
        rule,
        pool: "",
        message: `the server '${current}' holding this session's ${describeStay(stay)} is not available`,
      };
    }
    return forward(current, null, rule, stay, null, false);
  }
  const target = actionTarget(action) ?? { kind: "stay" };
  const stayOn = placement.current ?? placement.previous ?? null;
  if (target.kind === "stay" && stayOn !== null && serverUsable(ctx.topology, stayOn, facts.writes)) {
    return forward(stayOn, null, rule, "policy", null, false);
  }
  const poolName = target.kind === "pool" ? target.pool : defaultPool(ctx);
  return choose(poolName, rule, facts, placement, ctx, new Set());
}

function stayReason(facts: Facts, session: SessionState, placement: Placement): StayReason | null {
  if (placement.current === null) return null;
  if (session.inTransaction) return "transaction";
  const pins = pinReasons(session);
  if (pins[0] !== undefined) return pins[0];
  if (facts.sameConnection.length > 0) return "same_connection";
  return null;
}

function choose(
  poolName: string,
  rule: string,
  facts: Facts,
  placement: Placement,
  ctx: RouteContext,
  visited: Set<string>,
): RoutePlan {
  const pool = ctx.pools.get(poolName);
  if (pool === undefined)
    return { kind: "unavailable", rule, pool: poolName, message: `no pool named '${poolName}'` };
  visited.add(poolName);
  const primary = ctx.topology.primary;
  const needsPrimary = facts.writes || facts.locking !== "none";
  if (needsPrimary && !poolReaches(pool, primary, ctx.topology)) {
    if (primary !== null && serverUsable(ctx.topology, primary, true)) {
      return forward(primary, poolName, rule, null, null, true);
    }
    return { kind: "unavailable", rule, pool: poolName, message: "no writable primary is available" };
  }
  const afterWrite =
    pool.consistency.kind === "primary-after-write" &&
    placement.lastWriteAt !== null &&
    ctx.now - placement.lastWriteAt < pool.consistency.windowMs;
  if (afterWrite && primary !== null && serverUsable(ctx.topology, primary, true)) {
    return forward(primary, poolName, rule, null, null, false);
  }
  const candidates = candidatesOf(pool, ctx, needsPrimary);
  // A session that still holds a connection to an eligible server stays on it: balancing happens
  // when sessions take connections, not per statement, so back-to-back statements cost no switch.
  const sticky =
    placement.current === null ? undefined : candidates.find((c) => c.name === placement.current);
  const chosen = sticky ?? pickServer(pool.balance, candidates, ctx.cursors(poolName));
  if (chosen !== undefined) {
    const causal =
      pool.consistency.kind === "causal" && placement.lastGtid !== null && chosen.name !== primary
        ? { gtid: placement.lastGtid, timeoutMs: ctx.causalTimeoutMs }
        : null;
    return forward(chosen.name, poolName, rule, null, causal, false);
  }
  if (pool.fallback.kind === "pool" && !visited.has(pool.fallback.pool)) {
    return choose(pool.fallback.pool, rule, facts, placement, ctx, visited);
  }
  return {
    kind: "unavailable",
    rule,
    pool: poolName,
    message: `no server of pool '${poolName}' is available`,
  };
}

function candidatesOf(pool: PoolSpec, ctx: RouteContext, needsWrites: boolean): Candidate[] {
  const out: Candidate[] = [];
  const maxLagSeconds = pool.maxLagMs === null ? null : pool.maxLagMs / 1000;
  for (const server of ctx.topology.servers) {
    const weight = poolWeight(pool, server.name, server.role);
    if (weight === null || ctx.avoid?.has(server.name) === true) continue;
    if (needsWrites ? !server.acceptsWrites : !server.acceptsReads && !server.acceptsWrites) continue;
    if (server.state !== "up" && !(server.acceptsWrites && server.state === "draining")) continue;
    if (
      maxLagSeconds !== null &&
      server.role === "replica" &&
      (server.lagSeconds === null || server.lagSeconds > maxLagSeconds)
    ) {
      continue;
    }
    const load = ctx.load(server.name);
    out.push({ name: server.name, weight, active: load.active, connections: load.connections });
  }
  return out;
}

/** The weight a pool gives a server, or null when the pool does not use it. */
export function poolWeight(pool: PoolSpec, server: string, role: string): number | null {
  if (pool.select.kind === "servers")
    return pool.select.servers.find((s) => s.name === server)?.weight ?? null;
  if (pool.select.role === "any") return 1;
  return pool.select.role === role ? 1 : null;
}

function poolReaches(pool: PoolSpec, primary: string | null, topology: Topology): boolean {
  if (primary === null) return false;
  const role = topology.servers.find((s) => s.name === primary)?.role ?? "unknown";
  return poolWeight(pool, primary, role) !== null;
}

function serverUsable(topology: Topology, server: string, forWrite: boolean): boolean {
  const status = topology.servers.find((s) => s.name === server);
  if (status === undefined) return false;
  return forWrite ? status.acceptsWrites : status.acceptsReads || status.acceptsWrites;
}

/** `stay` with nothing to stay on: the safest pool, one that reaches the primary. */
function defaultPool(ctx: RouteContext): string {
  let first: string | undefined;
  for (const [name, pool] of ctx.pools) {
    first ??= name;
    if (poolReaches(pool, ctx.topology.primary, ctx.topology)) return name;
  }
  return first ?? "primary";
}

function describeStay(stay: StayReason): string {
  switch (stay) {
    case "transaction":
      return "open transaction";
    case "same_connection":
      return "previous statement's results";
    case "lock_tables":
      return "table locks";
    case "named_lock":
      return "named locks";
    case "prepared_statement":
      return "prepared statements";
    case "temporary_table":
      return "temporary tables";
    case "policy":
      return "connection";
  }
}

function forward(
  server: string,
  pool: string | null,
  rule: string,
  stay: StayReason | null,
  waitGtid: { gtid: string; timeoutMs: number } | null,
  overridden: boolean,
): RoutePlan {
  return { kind: "forward", server, pool, rule, stay, waitGtid, overridden };
}
