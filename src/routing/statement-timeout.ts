import { type Action, actionTarget, type PoolSpec } from "../policy/ir.js";

/**
 * How long one statement may run, in ms (0: no limit). The most specific setting wins: the
 * deciding rule's `timeout`, else the `statement_timeout` of the pool that chose the server (when
 * the statement stays on the session's connection, the pool the rule names), else the config's
 * default. `none` at any level means no limit and stops the search.
 */
export function statementTimeoutMs(
  action: Action,
  pool: string | null,
  pools: ReadonlyMap<string, PoolSpec>,
  defaultMs: number,
): number {
  const target = actionTarget(action);
  const named = target?.kind === "pool" ? target.pool : "";
  const own = action.timeout ?? pools.get(pool ?? named)?.statementTimeout;
  if (own === undefined) return defaultMs;
  return own.kind === "after" ? own.ms : 0;
}
