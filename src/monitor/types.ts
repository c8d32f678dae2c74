/**
 * The monitor's data: what a probe saw, per-server health, the immutable Topology snapshot that
 * routing consumes, and the events subscribers (logs, counters, hooks) receive.
 * Everything here is plain, serialisable data.
 */

/** A configured backend server, as the monitor reaches it (and as replicas are pointed at it). */
export interface MonitoredServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** One replication channel from SHOW ALL SLAVES STATUS. */
export interface ReplicationChannel {
  readonly connectionName: string;
  readonly masterHost: string;
  readonly masterPort: number;
  /** "Yes" | "No" | "Connecting" (IO thread) */
  readonly ioRunning: string;
  readonly sqlRunning: boolean;
  readonly secondsBehindMaster: number | null;
  readonly gtidIoPos: string;
  readonly lastIoErrno: number;
  readonly lastIoError: string;
  readonly lastSqlErrno: number;
  readonly lastSqlError: string;
}

/** What one check of one server saw. */
export type ProbeResult =
  | {
      readonly kind: "reachable";
      readonly server: string;
      /** ms since epoch at which the answer arrived */
      readonly at: number;
      readonly readOnly: boolean;
      readonly version: string;
      readonly serverId: number;
      readonly gtidCurrentPos: string;
      readonly gtidBinlogPos: string;
      readonly gtidSlavePos: string;
      readonly logBin: boolean;
      readonly logSlaveUpdates: boolean;
      readonly replication: readonly ReplicationChannel[];
      /** connection id holding the cooperative monitor lock on this server, null when free */
      readonly lockOwner: number | null;
      /** this monitor's connection id on this server */
      readonly connectionId: number;
    }
  | {
      readonly kind: "unreachable";
      readonly server: string;
      readonly at: number;
      readonly error: string;
      /** nothing listens (connection refused) rather than a timeout or a slow answer */
      readonly definite: boolean;
    };

export type ReachableProbe = Extract<ProbeResult, { kind: "reachable" }>;

/** Health as measured by checks; admin states are set by an operator and kept separately. */
export type Health = "up" | "down" | "lagging";
export type AdminState = "online" | "maintenance" | "draining";
/** The state routing sees: admin states win over health. */
export type ServerState = "up" | "down" | "lagging" | "maintenance" | "draining";

export interface ServerHealth {
  readonly health: Health;
  readonly admin: AdminState;
  /** consecutive failed probes */
  readonly failures: number;
  /** consecutive good checks counting towards re-entry (down → up, lagging → up) */
  readonly goodStreak: number;
  /** checks seen so far; the first check sets the state without hysteresis */
  readonly checks: number;
  readonly lastError: string | null;
}

export type Role = "primary" | "replica" | "unknown";

/** One server in a Topology snapshot. */
export interface ServerStatus {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly role: Role;
  readonly state: ServerState;
  readonly health: Health;
  readonly admin: AdminState;
  /** routing may send reads here (up, or draining for sessions already bound) */
  readonly acceptsReads: boolean;
  /** routing may send writes here: the primary, up, online or draining, not read_only */
  readonly acceptsWrites: boolean;
  readonly readOnly: boolean | null;
  /** seconds; null when unknown (no primary to compare with and no Seconds_Behind_Master) */
  readonly lagSeconds: number | null;
  /** configured server this one replicates from, null for a root or an unreachable server */
  readonly replicatesFrom: string | null;
  readonly gtidCurrentPos: string | null;
  readonly version: string | null;
  readonly lastError: string | null;
}

/** An immutable snapshot published after every check. */
export interface Topology {
  /** increases by one per published snapshot */
  readonly seq: number;
  readonly at: number;
  /** the primary (possibly down, until a failover replaces it); null when there is none */
  readonly primary: string | null;
  readonly servers: readonly ServerStatus[];
  /** this instance holds the cooperative lock on a majority of servers and may act */
  readonly leader: boolean;
  /** things an operator should know: ambiguous primary, writable replica, broken replication… */
  readonly problems: readonly string[];
  /** why the last failover of the (down) primary did not happen; absent when none is pending */
  readonly failoverBlocked?: string;
  /** a switchover is under way: no server takes writes until it is done (writes wait in Sluice) */
  readonly switchover?: { readonly from: string; readonly to: string };
}

export type MonitorEvent =
  | { readonly kind: "server_down"; readonly server: string; readonly reason: string }
  | { readonly kind: "server_up"; readonly server: string }
  | { readonly kind: "lag_over"; readonly server: string; readonly lagSeconds: number }
  | { readonly kind: "lag_under"; readonly server: string; readonly lagSeconds: number }
  | {
      readonly kind: "state_changed";
      readonly server: string;
      readonly from: ServerState;
      readonly to: ServerState;
    }
  | { readonly kind: "new_primary"; readonly server: string; readonly previous: string | null }
  | {
      readonly kind: "failover";
      readonly oldPrimary: string;
      readonly newPrimary: string;
      readonly gtid: string;
      readonly durationMs: number;
    }
  | { readonly kind: "failover_failed"; readonly oldPrimary: string; readonly reason: string }
  | {
      readonly kind: "switchover";
      readonly oldPrimary: string;
      readonly newPrimary: string;
      readonly gtid: string;
      readonly durationMs: number;
    }
  | { readonly kind: "switchover_failed"; readonly target: string; readonly reason: string }
  | { readonly kind: "fenced"; readonly server: string; readonly primary: string }
  | { readonly kind: "rejoined"; readonly server: string; readonly primary: string }
  | { readonly kind: "rejoin_refused"; readonly server: string; readonly reason: string }
  | { readonly kind: "leader_acquired" }
  | { readonly kind: "leader_lost" };

export type MonitorEventKind = MonitorEvent["kind"];

/** The server name an event is about, if any (used for logs and hook arguments). */
export function eventServer(event: MonitorEvent): string | null {
  switch (event.kind) {
    case "failover":
    case "switchover":
      return event.newPrimary;
    case "failover_failed":
      return event.oldPrimary;
    case "switchover_failed":
      return event.target;
    case "leader_acquired":
    case "leader_lost":
      return null;
    default:
      return event.server;
  }
}
