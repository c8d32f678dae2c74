import type { HookEvent } from "./hook-events.js";
import type { Secret } from "./secret.js";

/**
 * The validated configuration of one Sluice process: what `loadConfig` returns. Plain data (plus
 * `Secret` wrappers), immutable, with every default filled in and every file path absolute, so a
 * reload can compare two of them and the runtime never re-reads the YAML.
 */
export interface SluiceConfig {
  /** absolute path of the file it was loaded from, or null for text */
  readonly source: string | null;
  readonly listeners: readonly ListenerConfig[];
  readonly admin: AdminListenerConfig | null;
  readonly http: HttpListenerConfig | null;
  readonly servers: readonly ServerConfig[];
  readonly users: readonly UserConfig[];
  readonly pools: PoolsConfig;
  readonly monitor: MonitorSettings;
  readonly hooks: readonly HookSettings[];
  readonly logging: LoggingConfig;
  readonly queryStats: QueryStatsConfig;
  readonly policy: PolicyFilesConfig;
  readonly workers: WorkersSetting;
  readonly shutdown: ShutdownConfig;
}

/** Server-side TLS for a client-facing listener; cert and key are PEM files. */
export interface ListenerTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA bundle to verify client certificates against; null = no client certificates asked for */
  readonly caFile: string | null;
}

export interface ListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: ListenerTls | null;
  /** refuse clients that do not upgrade to TLS (needs `tls`) */
  readonly requireTls: boolean;
}

export interface AdminListenerConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: PasswordConfig;
}

export interface HttpListenerConfig {
  readonly host: string;
  readonly port: number;
}

export const serverRoles = ["primary", "replica", "auto"] as const;
export type ServerRole = (typeof serverRoles)[number];

/** TLS from Sluice to a backend server, by how much the server's certificate is checked. */
export type ServerTls =
  | { readonly mode: "disabled" }
  | { readonly mode: "required" }
  | { readonly mode: "verify_ca" | "verify_identity"; readonly caFile: string };

export const serverTlsModes = ["disabled", "required", "verify_ca", "verify_identity"] as const;

export interface ServerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** a hint: the monitor decides the real role from read_only and replication status */
  readonly role: ServerRole;
  /** share of reads among replicas (0 = only when nothing else is available) */
  readonly weight: number;
  readonly tls: ServerTls;
}

/** How a user proves who they are: a clear password (from env/file) or only its native hash. */
export type PasswordConfig =
  | { readonly kind: "plain"; readonly secret: Secret }
  | {
      /** `*` + 40 hex digits, SHA1(SHA1(password)), as in mysql.user; enough for native auth */
      readonly kind: "native_hash";
      readonly hash: Secret;
    };

export interface UserConfig {
  readonly name: string;
  readonly password: PasswordConfig;
  /** client connections this user may hold open at once; null = no limit */
  readonly maxConnections: number | null;
  readonly requireTls: boolean;
}

export interface PoolsConfig {
  readonly minIdle: number;
  readonly maxIdle: number;
  readonly maxPerServer: number;
  /** how long a statement waits for a free backend connection before failing */
  readonly queueTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** idle backend connections above min_idle are closed after this */
  readonly idleTimeoutMs: number;
  /** return backend connections to the pool between transactions when the session allows it */
  readonly multiplexing: boolean;
  /**
   * how long a statement may run before Sluice interrupts it (error 1969) when neither its rule
   * (`timeout`) nor its policy pool (`statement_timeout`) says; null: no limit
   */
  readonly statementTimeoutMs: number | null;
}

export const failoverModes = ["auto", "manual", "off"] as const;
export type FailoverSetting = (typeof failoverModes)[number];
/** MaxScale's cooperative_monitoring_locks: whose majority of GET_LOCKs lets an instance act */
export const cooperativeSettings = ["majority_of_all", "majority_of_running", "none"] as const;
export type CooperativeSetting = (typeof cooperativeSettings)[number];

export interface Credentials {
  readonly user: string;
  readonly password: Secret;
}

export interface MonitorSettings {
  readonly credentials: Credentials;
  /** given to replicas in CHANGE MASTER TO on failover/switchover; null = failover cannot repoint */
  readonly replication: Credentials | null;
  readonly intervalMs: number;
  readonly probeTimeoutMs: number;
  readonly maxLagSeconds: number;
  readonly lagRecoverSeconds: number;
  /** consecutive failed checks before a server is down */
  readonly downAfter: number;
  /** consecutive failed checks of the primary before an automatic failover */
  readonly failAfter: number;
  /** consecutive good checks before a server re-enters rotation */
  readonly grace: number;
  readonly failover: FailoverSetting;
  /** which majority of monitor locks makes this instance the one that fails over */
  readonly cooperative: CooperativeSetting;
  /**
   * how long a statement outside a transaction that needs the primary waits for one (a failover
   * or switchover running) before it fails; default 10000 with failover auto, else 0
   */
  readonly failoverHoldMs: number;
}

export interface HookSettings {
  /** monitor event kinds, or ["*"] for all */
  readonly on: readonly (HookEvent | "*")[];
  /** argv: run without a shell, the event's fields appended */
  readonly command: readonly string[];
  readonly timeoutMs: number;
}

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogDestination = { readonly kind: "stdout" } | { readonly kind: "file"; readonly path: string };

export interface QueryLogConfig {
  readonly enabled: boolean;
  /** statements at least this slow are always logged; null = no slow log */
  readonly slowMs: number | null;
  /** fraction 0..1 of other statements logged, chosen by a deterministic counter */
  readonly sampleRate: number;
  /** log every statement (overrides slow/sample) */
  readonly full: boolean;
  /** log the digest (literals replaced by ?) instead of the text */
  readonly redactLiterals: boolean;
  readonly destination: LogDestination;
}

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly destination: LogDestination;
  readonly queryLog: QueryLogConfig;
}

export interface QueryStatsConfig {
  /** bound of the digest table; the least recently seen digest is evicted beyond it */
  readonly maxDigests: number;
}

export interface PolicyFilesConfig {
  /** absolute paths, in the order given */
  readonly files: readonly string[];
}

export type WorkersSetting = { readonly kind: "count"; readonly count: number } | { readonly kind: "auto" };

export interface ShutdownConfig {
  /** on SIGTERM, how long open transactions get to finish before connections are closed */
  readonly drainTimeoutMs: number;
}
