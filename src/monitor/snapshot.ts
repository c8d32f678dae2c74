/** Assembles the immutable Topology snapshot routing consumes (pure). */
import type { RoleView } from "./topology.js";
import { stateOf } from "./transitions.js";
import type { MonitoredServer, ProbeResult, ServerHealth, ServerStatus, Topology } from "./types.js";

export interface SnapshotInput {
  readonly seq: number;
  readonly at: number;
  readonly servers: readonly MonitoredServer[];
  readonly probes: ReadonlyMap<string, ProbeResult>;
  readonly health: ReadonlyMap<string, ServerHealth>;
  readonly roles: RoleView;
  readonly lags: ReadonlyMap<string, number | null>;
  readonly leader: boolean;
  readonly extraProblems?: readonly string[];
  readonly failoverBlocked?: string | null;
  /** a switchover from → to is under way: writes are paused everywhere */
  readonly switchover?: { readonly from: string; readonly to: string } | null;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function buildTopology(input: SnapshotInput): Topology {
  const servers: ServerStatus[] = input.servers.map((s) => {
    const h = input.health.get(s.name);
    const p = input.probes.get(s.name);
    const reachable = p?.kind === "reachable" ? p : null;
    const role = input.roles.roles.get(s.name)?.role ?? "unknown";
    const health = h?.health ?? "down";
    const admin = h?.admin ?? "online";
    const readOnly = reachable?.readOnly ?? null;
    const replicatesFrom = input.roles.roles.get(s.name)?.replicatesFrom ?? null;
    return {
      name: s.name,
      host: s.host,
      port: s.port,
      role,
      state: h === undefined ? "down" : stateOf(h),
      health,
      admin,
      // A replica that replicates from nobody (a refused rejoin, a half-done failover) holds data
      // that only gets staler: it takes no reads until replication runs again.
      acceptsReads: health === "up" && admin === "online" && (role !== "replica" || replicatesFrom !== null),
      acceptsWrites:
        input.switchover == null &&
        role === "primary" &&
        input.roles.primary === s.name &&
        health !== "down" &&
        admin !== "maintenance" &&
        readOnly === false,
      readOnly,
      lagSeconds: role === "primary" ? 0 : (input.lags.get(s.name) ?? null),
      replicatesFrom,
      gtidCurrentPos: reachable?.gtidCurrentPos ?? null,
      version: reachable?.version ?? null,
      lastError: p?.kind === "unreachable" ? p.error : (h?.lastError ?? null),
    };
  });
  return deepFreeze({
    seq: input.seq,
    at: input.at,
    primary: input.roles.primary,
    servers,
    leader: input.leader,
    problems: [...input.roles.problems, ...(input.extraProblems ?? [])],
    ...(input.failoverBlocked == null ? {} : { failoverBlocked: input.failoverBlocked }),
    ...(input.switchover == null ? {} : { switchover: input.switchover }),
  });
}

/** Convenience for consumers: the server routing should send writes to, if any. */
export function writer(topology: Topology): ServerStatus | null {
  return topology.servers.find((s) => s.acceptsWrites) ?? null;
}

/** Convenience for consumers: servers that may take new reads (replicas first, then the primary). */
export function readers(topology: Topology): ServerStatus[] {
  const ok = topology.servers.filter((s) => s.acceptsReads);
  return [...ok.filter((s) => s.role === "replica"), ...ok.filter((s) => s.role !== "replica")];
}
