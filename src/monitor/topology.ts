/**
 * Who is the primary: derived from the replication graph the probes saw (pure).
 *
 * The primary is the root of the replication tree: a reachable server that replicates from no
 * configured server and is not read_only. A server that replicates from a configured server is a
 * replica even if others replicate from it. Between checks the previous answer is remembered: a
 * primary that stops answering stays the primary (down) until a failover replaces it, and when a
 * dead primary comes back writable next to the promoted one, the promoted one stays the primary.
 */
import type { MonitoredServer, ProbeResult, ReachableProbe, Role } from "./types.js";

export interface ServerRole {
  readonly role: Role;
  /** configured server it replicates from (reachable servers only) */
  readonly replicatesFrom: string | null;
}

export interface RoleView {
  readonly primary: string | null;
  readonly roles: ReadonlyMap<string, ServerRole>;
  readonly problems: readonly string[];
}

export interface PreviousRoles {
  readonly primary: string | null;
  readonly roles: ReadonlyMap<string, ServerRole>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1"]);

/** Whether a replica's Master_Host/Master_Port designates a configured server. */
export function sameEndpoint(server: MonitoredServer, host: string, port: number): boolean {
  if (server.port !== port) return false;
  const a = server.host.toLowerCase();
  const b = host.toLowerCase();
  return a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));
}

/** The configured server a reachable server replicates from (first matching channel), if any. */
export function upstreamOf(servers: readonly MonitoredServer[], probe: ReachableProbe): string | null {
  for (const ch of probe.replication) {
    const match = servers.find(
      (s) => s.name !== probe.server && sameEndpoint(s, ch.masterHost, ch.masterPort),
    );
    if (match !== undefined) return match.name;
  }
  return null;
}

function descendantCount(root: string, upstream: ReadonlyMap<string, string | null>): number {
  let count = 0;
  for (const name of upstream.keys()) {
    const seen = new Set<string>();
    let at = upstream.get(name) ?? null;
    while (at !== null && !seen.has(at)) {
      if (at === root) {
        count++;
        break;
      }
      seen.add(at);
      at = upstream.get(at) ?? null;
    }
  }
  return count;
}

export function deriveRoles(
  servers: readonly MonitoredServer[],
  probes: ReadonlyMap<string, ProbeResult>,
  previous: PreviousRoles | null,
): RoleView {
  const problems: string[] = [];
  const upstream = new Map<string, string | null>();
  const reachable: ReachableProbe[] = [];
  for (const s of servers) {
    const p = probes.get(s.name);
    if (p?.kind === "reachable") {
      reachable.push(p);
      upstream.set(s.name, upstreamOf(servers, p));
    }
  }

  const writableRoots = reachable.filter((p) => !p.readOnly && upstream.get(p.server) === null);
  let primary: string | null = null;
  if (writableRoots.length === 1) {
    primary = writableRoots[0]?.server ?? null;
  } else if (writableRoots.length > 1) {
    const names = writableRoots.map((p) => p.server);
    if (previous?.primary != null && names.includes(previous.primary)) {
      primary = previous.primary;
    } else {
      // No memory to go by: the root others replicate from is the primary; a tie is ambiguous
      // and guessing could fence the wrong server, so nobody is primary until an operator decides.
      const ranked = names.map((n) => ({ n, d: descendantCount(n, upstream) })).sort((a, b) => b.d - a.d);
      const [first, second] = ranked;
      if (first !== undefined && (second === undefined || first.d > second.d)) primary = first.n;
    }
    if (primary === null) {
      problems.push(`ambiguous primary: ${names.join(", ")} are all writable and replicate from nobody`);
    } else {
      const others = names.filter((n) => n !== primary);
      problems.push(`${others.join(", ")} writable next to primary ${primary}: will be fenced (read_only=1)`);
    }
  } else if (previous?.primary != null && probes.get(previous.primary)?.kind !== "reachable") {
    // The primary is not answering: it stays the primary (down) so that failover can replace it.
    primary = previous.primary;
  } else {
    const readOnlyRoots = reachable.filter((p) => upstream.get(p.server) === null).map((p) => p.server);
    problems.push(
      readOnlyRoots.length > 0
        ? `no writable primary: ${readOnlyRoots.join(", ")} replicate from nobody but are read_only`
        : "no writable primary among the reachable servers",
    );
  }

  const roles = new Map<string, ServerRole>();
  for (const s of servers) {
    const p = probes.get(s.name);
    if (p?.kind !== "reachable") {
      const before = previous?.roles.get(s.name);
      roles.set(s.name, {
        role: s.name === primary ? "primary" : (before?.role ?? "unknown"),
        replicatesFrom: null,
      });
      continue;
    }
    const from = upstream.get(s.name) ?? null;
    if (s.name === primary) {
      roles.set(s.name, { role: "primary", replicatesFrom: null });
    } else {
      roles.set(s.name, { role: "replica", replicatesFrom: from });
      if (from === null && p.readOnly && primary !== null) {
        problems.push(`${s.name} is read_only but replicates from no configured server`);
      }
      if (from !== null && !p.readOnly) problems.push(`replica ${s.name} is writable (read_only=0)`);
    }
    for (const ch of p.replication) {
      if (ch.lastIoErrno !== 0)
        problems.push(`${s.name}: replication IO error ${ch.lastIoErrno}: ${ch.lastIoError}`);
      if (ch.lastSqlErrno !== 0)
        problems.push(`${s.name}: replication SQL error ${ch.lastSqlErrno}: ${ch.lastSqlError}`);
    }
  }
  return { primary, roles, problems };
}
