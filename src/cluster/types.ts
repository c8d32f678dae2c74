/** Where one server of a local cluster listens, and what it is. */
export interface ServerInfo {
  /** "primary", "replica1", "replica2" */
  readonly name: string;
  readonly role: "primary" | "replica";
  readonly host: string;
  readonly port: number;
  /** unix socket; root without password connects through it */
  readonly socket: string;
  readonly datadir: string;
  readonly serverId: number;
  /** extra mariadbd options for this server (the soak turns on semi-synchronous replication) */
  readonly options?: readonly string[];
}

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Serialisable description of a running cluster (what vitest's global setup provides to tests). */
export interface ClusterInfo {
  readonly baseDir: string;
  readonly version: string;
  readonly servers: readonly ServerInfo[];
  readonly database: string;
  readonly users: {
    /** application user: broad privileges, but no SUPER / READ_ONLY ADMIN */
    readonly app: Credentials;
    /** monitor user: may inspect and change replication (used by the monitor and failover) */
    readonly monitor: Credentials;
    readonly repl: Credentials;
  };
}
