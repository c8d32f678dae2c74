import type { AdminPool, AdminSession } from "../admin/admin-snapshot.js";
import type { Topology } from "../monitor/types.js";
import type { PoolSpec } from "../policy/ir.js";
import type { PoolKeyStats } from "../pool/pool-types.js";
import { poolWeight } from "../routing/route.js";
import type { SessionView } from "../session/session-view.js";

/** SHOW SESSIONS rows of one proxy: its sessions and the listener they came through. */
export function adminSessions(sessions: readonly SessionView[], listener: string): AdminSession[] {
  return sessions.map((s) => ({ ...s, listener }));
}

/**
 * SHOW POOLS rows: the pool's keys (server × user × capability profile) added up per server and
 * user, with the policy's pools that route to the server now (by its role in the topology).
 */
export function adminPools(
  stats: readonly PoolKeyStats[],
  policyPools: ReadonlyMap<string, PoolSpec>,
  roleOf: (server: string) => string,
): AdminPool[] {
  return mergePoolRows(
    stats.map((k) => ({
      server: k.key.server,
      user: k.key.user,
      pools: [...policyPools.values()]
        .filter((p) => poolWeight(p, k.key.server, roleOf(k.key.server)) !== null)
        .map((p) => p.name),
      open: k.open,
      idle: k.idle,
      leased: k.leased,
      opening: k.opening,
      waiting: k.waiting,
      max: k.max,
      openedTotal: k.openedTotal,
      closedTotal: k.closedTotal,
      waitsTotal: k.waitsTotal,
      waitTimeouts: k.waitTimeouts,
    })),
  );
}

/**
 * Adds up rows of the same server and user (several capability profiles, or several workers'
 * snapshots); `max` is per process, so workers' limits add up too.
 */
export function mergePoolRows(rows: readonly AdminPool[], sumMax = false): AdminPool[] {
  const merged = new Map<string, AdminPool>();
  for (const r of rows) {
    const id = `${r.server}\u0000${r.user}`;
    const m = merged.get(id);
    merged.set(
      id,
      m === undefined
        ? r
        : {
            ...m,
            pools: [...new Set([...m.pools, ...r.pools])],
            open: m.open + r.open,
            idle: m.idle + r.idle,
            leased: m.leased + r.leased,
            opening: m.opening + r.opening,
            waiting: m.waiting + r.waiting,
            max: sumMax ? m.max + r.max : m.max,
            openedTotal: m.openedTotal + r.openedTotal,
            closedTotal: m.closedTotal + r.closedTotal,
            waitsTotal: m.waitsTotal + r.waitsTotal,
            waitTimeouts: m.waitTimeouts + r.waitTimeouts,
          },
    );
  }
  return [...merged.values()];
}

/** A server's role for pool membership: the monitor's view, else the configured one. */
export function serverRole(topology: Topology | null, configured: ReadonlyMap<string, string>) {
  return (server: string): string =>
    topology?.servers.find((s) => s.name === server)?.role ?? configured.get(server) ?? "unknown";
}

/** Connections per server for SHOW SERVERS: leased (busy) and idle, over all its pools. */
export function serverConnections(
  pools: readonly AdminPool[],
  server: string,
): { readonly busy: number; readonly idle: number } {
  let busy = 0;
  let idle = 0;
  for (const p of pools) {
    if (p.server !== server) continue;
    busy += p.leased;
    idle += p.idle;
  }
  return { busy, idle };
}
