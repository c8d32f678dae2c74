import type { Topology } from "../monitor/types.js";
import { ActiveOperations } from "../routing/active-operations.js";
import type { BalanceCursor } from "../routing/balance.js";
import type { RoutePlan } from "../routing/route.js";
import type { RoutingEnvironment, RoutingPolicy } from "../routing/routing-environment.js";
import type { StatementRecord } from "../routing/statement-record.js";

export interface RoutingSetup {
  /** the policy in force now (the runtime swaps it on reload) */
  readonly policy: () => RoutingPolicy;
  /** the monitor's latest topology, or a static one */
  readonly topology: () => Topology;
  readonly multiplexing: boolean;
  /** how long a quiet session keeps its backend connection before giving it back (default 5 ms) */
  readonly releaseAfterMs?: number;
  readonly causalTimeoutMs?: number;
  /** see RoutingEnvironment.failoverHoldMs (default 0: no wait) */
  readonly failoverHoldMs?: number;
  /**
   * statement time limit when neither rule nor pool sets one (config `pools.statement_timeout_ms`),
   * as it is now: the runtime swaps it with the policy on reload
   */
  readonly statementTimeoutMs?: () => number;
  readonly onDecision?: (rule: string, plan: RoutePlan["kind"], pool: string | null) => void;
  readonly onStatement?: (record: StatementRecord) => void;
}

/** The proxy hook that gives every session the same routing environment. */
export function routingHook(setup: RoutingSetup) {
  return (pool: {
    openCount(server: string): number;
  }): RoutingEnvironment & { readonly operations: ActiveOperations } => {
    const operations = new ActiveOperations();
    const cursors = new Map<string, BalanceCursor>();
    return {
      policy: setup.policy,
      topology: setup.topology,
      load: (server) => ({ active: operations.get(server), connections: pool.openCount(server) }),
      cursor: (name) => {
        let cursor = cursors.get(name);
        if (cursor === undefined) {
          cursor = { next: 0 };
          cursors.set(name, cursor);
        }
        return cursor;
      },
      causalTimeoutMs: setup.causalTimeoutMs ?? 1_000,
      failoverHoldMs: setup.failoverHoldMs ?? 0,
      multiplexing: setup.multiplexing,
      releaseAfterMs: setup.releaseAfterMs ?? 5,
      // read per statement, so the next one after a reload gets the reloaded limit
      get statementTimeoutMs() {
        return setup.statementTimeoutMs?.() ?? 0;
      },
      ...(setup.onDecision === undefined ? {} : { onDecision: setup.onDecision }),
      ...(setup.onStatement === undefined ? {} : { onStatement: setup.onStatement }),
      operations,
    };
  };
}
