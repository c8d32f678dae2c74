import type { Topology } from "../monitor/types.js";
import type { RuntimeTree } from "../policy/compile/decide.js";
import type { PoolSpec } from "../policy/ir.js";
import type { BalanceCursor } from "./balance.js";
import type { RoutePlan } from "./route.js";
import type { StatementRecord } from "./statement-record.js";

/** The policy a session routes by: swapped whole on reload. */
export interface RoutingPolicy {
  readonly version: string;
  readonly tree: RuntimeTree;
  readonly pools: ReadonlyMap<string, PoolSpec>;
}

/** What every session of one proxy shares for routing; the runtime provides it. */
export interface RoutingEnvironment {
  policy(): RoutingPolicy;
  topology(): Topology;
  load(server: string): { readonly active: number; readonly connections: number };
  cursor(pool: string): BalanceCursor;
  readonly causalTimeoutMs: number;
  /** give the backend connection back to the pool between statements when nothing pins it */
  readonly multiplexing: boolean;
  /** …once the session has been quiet this long (0: at once after each statement) */
  readonly releaseAfterMs?: number;
  /**
   * how long a statement outside a transaction waits for a primary (during a failover or
   * switchover, or while the monitor has not yet noticed it died) instead of failing (ms, 0: no wait)
   */
  readonly failoverHoldMs?: number;
  /** the statement time limit when neither the rule nor the pool sets one (ms, 0: none) */
  readonly statementTimeoutMs?: number;
  /** counts rule hits (SHOW RULES, metrics) */
  onDecision?(rule: string, plan: RoutePlan["kind"], pool: string | null): void;
  /** a statement finished on a server: metrics, digest statistics, query log */
  onStatement?(record: StatementRecord): void;
}
