import type { SluiceConfig } from "../config/index.js";
import { Secret } from "../config/secret.js";

/**
 * Settings a reload does not apply: they are read once when serve starts (listeners bound, pools,
 * credentials, the monitor and the digest table built). A reload applies the policy,
 * `pools.statement_timeout_ms`, `logging.query_log`, `policy.files` and `shutdown`; a change to
 * one of these is named in a warning instead of being silently ignored. Names as in the YAML.
 */
const RESTART_ONLY: readonly (readonly [string, (c: SluiceConfig) => unknown])[] = [
  ["listeners", (c) => c.listeners],
  ["admin", (c) => c.admin],
  ["http", (c) => c.http],
  ["servers", (c) => c.servers],
  ["users", (c) => c.users],
  ["pools.min_idle", (c) => c.pools.minIdle],
  ["pools.max_idle", (c) => c.pools.maxIdle],
  ["pools.max_per_server", (c) => c.pools.maxPerServer],
  ["pools.queue_timeout_ms", (c) => c.pools.queueTimeoutMs],
  ["pools.connect_timeout_ms", (c) => c.pools.connectTimeoutMs],
  ["pools.idle_timeout_ms", (c) => c.pools.idleTimeoutMs],
  ["pools.multiplexing", (c) => c.pools.multiplexing],
  ["monitor", (c) => c.monitor],
  ["hooks", (c) => c.hooks],
  ["logging.level", (c) => c.logging.level],
  ["logging.destination", (c) => c.logging.destination],
  ["query_stats.max_digests", (c) => c.queryStats.maxDigests],
  ["workers", (c) => c.workers],
];

/**
 * Pure: the settings `next` changes relative to `running` (the config serve started with) that
 * only a restart applies. Passwords are compared by value (`Secret.equals`), never printed.
 */
export function restartOnlyChanges(running: SluiceConfig, next: SluiceConfig): string[] {
  return RESTART_ONLY.filter(([, read]) => !same(read(running), read(next))).map(([name]) => name);
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Secret || b instanceof Secret)
    return a instanceof Secret && b instanceof Secret && a.equals(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => k in y && same(x[k], y[k]));
}

/** The reload's warning about them. */
export function restartWarning(settings: readonly string[]): string {
  return `changed settings that only a restart applies (the running values stay until then): ${settings.join(", ")}`;
}
