/** Builders for monitor test data (independent of the probe's row parsing). */
import type { PlanView } from "../../src/monitor/plan-view.js";
import type { ServerRole } from "../../src/monitor/topology.js";
import { initialHealth } from "../../src/monitor/transitions.js";
import type {
  MonitoredServer,
  ProbeResult,
  ReachableProbe,
  ReplicationChannel,
  ServerHealth,
} from "../../src/monitor/types.js";

export const servers: MonitoredServer[] = [
  { name: "a", host: "127.0.0.1", port: 3301 },
  { name: "b", host: "127.0.0.1", port: 3302 },
  { name: "c", host: "127.0.0.1", port: 3303 },
];

export function portOf(name: string): number {
  const s = servers.find((x) => x.name === name);
  if (s === undefined) throw new Error(name);
  return s.port;
}

export function channel(from: string, over: Partial<ReplicationChannel> = {}): ReplicationChannel {
  return {
    connectionName: "",
    masterHost: "localhost",
    masterPort: portOf(from),
    ioRunning: "Yes",
    sqlRunning: true,
    secondsBehindMaster: 0,
    gtidIoPos: "",
    lastIoErrno: 0,
    lastIoError: "",
    lastSqlErrno: 0,
    lastSqlError: "",
    ...over,
  };
}

export function up(server: string, over: Partial<ReachableProbe> = {}): ReachableProbe {
  return {
    kind: "reachable",
    server,
    at: 0,
    readOnly: false,
    version: "10.11.0-MariaDB",
    serverId: servers.findIndex((s) => s.name === server) + 1,
    gtidCurrentPos: "",
    gtidBinlogPos: "",
    gtidSlavePos: "",
    logBin: true,
    logSlaveUpdates: true,
    replication: [],
    lockOwner: null,
    connectionId: 7,
    ...over,
  };
}

/** A read_only replica of `from` at GTID `gtid` (executed), with `io` received. */
export function replica(
  server: string,
  from: string,
  gtid: string,
  io = gtid,
  over: Partial<ReachableProbe> = {},
) {
  return up(server, {
    readOnly: true,
    gtidCurrentPos: gtid,
    gtidSlavePos: gtid,
    gtidBinlogPos: gtid,
    replication: [channel(from, { gtidIoPos: io })],
    ...over,
  });
}

export function down(server: string, definite = true): ProbeResult {
  return { kind: "unreachable", server, at: 0, error: "connect ECONNREFUSED", definite };
}

export function probeMap(...probes: ProbeResult[]): Map<string, ProbeResult> {
  return new Map(probes.map((p) => [p.server, p]));
}

export function healthy(over: Partial<ServerHealth> = {}): ServerHealth {
  return { ...initialHealth, health: "up", checks: 5, ...over };
}

export function view(
  primary: string | null,
  probes: Map<string, ProbeResult>,
  roles: Record<string, ServerRole>,
  health: Record<string, ServerHealth> = {},
): PlanView {
  const h = new Map<string, ServerHealth>();
  for (const s of servers) h.set(s.name, health[s.name] ?? healthy());
  return { servers, probes, health: h, roles: new Map(Object.entries(roles)), primary };
}
