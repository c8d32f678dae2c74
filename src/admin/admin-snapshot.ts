import type { DigestStats } from "./digests.js";

/**
 * What the admin commands read: a plain snapshot of the running proxy, assembled by the runtime
 * (aggregated across workers) at the moment a command runs. Nothing here is live, so the commands
 * are pure functions of it.
 */
export interface AdminSnapshot {
  /** ms since the epoch, for ages and idle times */
  readonly now: number;
  readonly servers: readonly AdminServer[];
  readonly pools: readonly AdminPool[];
  readonly sessions: readonly AdminSession[];
  readonly rules: readonly AdminRule[];
  readonly digests: readonly DigestStats[];
  /** null before the first policy has loaded */
  readonly policy: AdminPolicy | null;
}

export type AdminServerState = "up" | "down" | "lagging" | "maintenance" | "draining";

export interface AdminServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly role: "primary" | "replica" | "unknown";
  readonly state: AdminServerState;
  readonly lagSeconds: number | null;
  readonly weight: number;
  readonly connectionsBusy: number;
  readonly connectionsIdle: number;
  readonly lastError: string | null;
}

export interface AdminPool {
  /** the policy's pool name (e.g. reads) */
  readonly pool: string;
  readonly server: string;
  readonly busy: number;
  readonly idle: number;
  /** statements waiting for a connection right now */
  readonly waiting: number;
  readonly max: number;
  readonly waitsTotal: number;
  readonly waitTimeouts: number;
}

export interface AdminSession {
  readonly id: number;
  readonly user: string;
  readonly client: string;
  readonly listener: string;
  readonly schema: string | null;
  readonly inTransaction: boolean;
  /** the server the session is pinned to (transaction, temporary table, lock…), if any */
  readonly pinnedTo: string | null;
  readonly pinReason: string | null;
  readonly statements: number;
  readonly connectedAt: number;
  readonly lastActivity: number;
}

export interface AdminRule {
  /** position in the policy, from 1 */
  readonly position: number;
  readonly name: string;
  /** the rule's action as the policy prints it, e.g. `route reads` */
  readonly action: string;
  readonly hits: number;
}

export interface AdminPolicy {
  readonly version: string;
  readonly hash: string;
  readonly loadedAt: number;
  readonly files: readonly string[];
  /** the policy as `sluice fmt` prints it */
  readonly source: string;
}

/** The changes the admin interface can ask for; the runtime implements them. */
export interface AdminActions {
  /** re-read config and policies; on failure the running version stays */
  reload(): Promise<ReloadOutcome>;
  setServerState(server: string, state: "maintenance" | "online" | "drain"): Promise<ActionOutcome>;
  switchover(target: string): Promise<ActionOutcome>;
  killSession(id: number): Promise<ActionOutcome>;
}

export type ReloadOutcome =
  | { readonly kind: "ok"; readonly version: string; readonly hash: string }
  | { readonly kind: "failed"; readonly diagnostics: readonly string[] };

export type ActionOutcome =
  | { readonly kind: "ok"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };
