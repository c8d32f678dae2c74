import type { PoolKeyStats } from "../pool/pool-types.js";
import type { SessionView } from "../session/session-view.js";
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
  /** with `sluice serve --workers N`: the worker processes; absent in a single process */
  readonly workers?: readonly AdminWorker[];
}

/** One worker process of `sluice serve --workers N`, as the primary process sees it. */
export interface AdminWorker {
  /** 1…N; a restarted worker keeps its number */
  readonly worker: number;
  /** null while none runs (between a death and the restart) */
  readonly pid: number | null;
  /** starting, serving, not answering (did not answer this snapshot in time), restarting, stopping */
  readonly state: "starting" | "serving" | "not answering" | "restarting" | "stopping";
  /** client connections open on it now (null when it did not answer) */
  readonly clients: number | null;
  /** its active policy (null when it did not answer): all workers agree after a reload */
  readonly policyVersion: string | null;
  readonly policyHash: string | null;
  readonly restarts: number;
  /** ms since the epoch the current process started */
  readonly startedAt: number | null;
  /** how the previous process of this worker ended, or why this one is not answering */
  readonly lastError: string | null;
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

/**
 * One backend pool: the connections to one server for one user (pools are keyed by server, user
 * and capability profile; profiles of the same user are added up here). The figures are the
 * pool's own (see PoolKeyStats): open = idle + leased, what the server's PROCESSLIST shows.
 */
export interface AdminPool extends Omit<PoolKeyStats, "key"> {
  readonly server: string;
  readonly user: string;
  /** the policy's pools (e.g. replicas) that route to this server now */
  readonly pools: readonly string[];
}

/** A client session (see SessionView) and the listener it came through. */
export interface AdminSession extends SessionView {
  readonly listener: string;
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
  /** "connection" (the default) ends the session, rolling back its transaction; "query" stops its
   *  running statement only */
  killSession(id: number, scope?: "connection" | "query"): Promise<ActionOutcome>;
}

export type ReloadOutcome =
  | { readonly kind: "ok"; readonly version: string; readonly hash: string }
  | { readonly kind: "failed"; readonly diagnostics: readonly string[] };

export type ActionOutcome =
  | { readonly kind: "ok"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };
