import { DEFAULT_POOL_OPTIONS, type ProxyOptions } from "../proxy-options.js";
import type { WorkerPlacement } from "./messages.js";

/**
 * One worker's proxy options. Every worker has its own pools, so the config's pool sizes are
 * totals for the whole Sluice and each worker gets its share: `max_per_server` and `max_idle`
 * divided by the worker count (rounded down, at least 1: N workers never open more connections to
 * a server than the config allows, unless it allows fewer than N), `min_idle` divided rounded up.
 * Session ids interleave (worker k of N: k, k+N, k+2N…) so they are unique across workers and an
 * id names its worker.
 */
export function workerProxyOptions(options: ProxyOptions, placement: WorkerPlacement): ProxyOptions {
  const n = placement.workers;
  const pool = { ...DEFAULT_POOL_OPTIONS, ...options.pool };
  const minIdle = Math.ceil(pool.minIdle / n);
  return {
    ...options,
    pool: {
      ...options.pool,
      maxPerServer: Math.max(1, Math.floor(pool.maxPerServer / n)),
      maxIdle: Math.max(minIdle, Math.floor(pool.maxIdle / n)),
      minIdle,
    },
    sessionIds: { first: placement.slot, step: n },
  };
}

/** The worker a session id belongs to (the inverse of the interleaving above). */
export function workerOfSession(id: number, workers: number): number {
  return ((id - 1) % workers) + 1;
}
