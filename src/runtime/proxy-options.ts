import type { Logger } from "pino";
import type { LoginRateLimitOptions } from "../session/login-rate-limit.js";

/**
 * Options for `startProxy`. The YAML config loader (a later issue) maps onto this type; tests and
 * the demo build it directly.
 */
export interface BackendServerOptions {
  /** unique name used in logs, errors and pool keys, e.g. "primary" */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly role: "primary" | "replica";
  /** TLS from Sluice to this server (the server's certificate is not verified unless `ca` is given) */
  readonly tls?: { readonly ca?: string; readonly servername?: string } | boolean;
}

/**
 * A user clients log in as; Sluice authenticates to the backends as the same user.
 * `password`: the clear password. `passwordHash`: the mysql_native_password hash ("*" + 40 hex,
 * as in mysql.user / PASSWORD()); with only the hash, Sluice verifies clients and learns the
 * backend credential (SHA1(password)) from the first successful login.
 */
export type UserOptions =
  | ({ readonly name: string; readonly password: string } & UserLoginRules)
  | ({ readonly name: string; readonly passwordHash: string } & UserLoginRules);

export interface UserLoginRules {
  /** client connections this user may hold at once; more get error 1203 (default: maxUserConnections) */
  readonly maxConnections?: number;
  /** refuse this user's logins without TLS (error 1045, as MariaDB does for REQUIRE SSL accounts) */
  readonly requireTls?: boolean;
}

export interface PoolOptions {
  /** idle connections kept open per pool key once the key has been used */
  readonly minIdle: number;
  /** idle connections above this are closed when released */
  readonly maxIdle: number;
  /** open connections (leased + idle + connecting) per backend server */
  readonly maxPerServer: number;
  /** how long a session waits for a connection when the server is at maxPerServer */
  readonly acquireTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** idle connections above minIdle older than this are closed */
  readonly idleTimeoutMs: number;
  /** a connection idle longer than this is pinged before it is handed out */
  readonly livenessCheckAfterMs: number;
}

export interface ProxyOptions {
  readonly listen: { readonly host: string; readonly port: number };
  readonly servers: readonly BackendServerOptions[];
  readonly users: readonly UserOptions[];
  /** client-side TLS (SSLRequest upgrade); `required` rejects clients that do not ask for it */
  readonly tls?: { readonly certPath: string; readonly keyPath: string; readonly required?: boolean };
  readonly pool?: Partial<PoolOptions>;
  readonly timeouts?: {
    /** close client sessions idle (between commands) longer than this; 0 = never */
    readonly clientIdleMs?: number;
    /** a client must finish the login within this time */
    readonly handshakeMs?: number;
  };
  /** largest client packet accepted (max_allowed_packet); larger ones end the session with error 1153 */
  readonly maxPacketSize?: number;
  /** client sessions accepted at once; more get error 1040 */
  readonly maxClientConnections?: number;
  /** default per-user limit of client connections (MariaDB's max_user_connections); 0 = none */
  readonly maxUserConnections?: number;
  /**
   * failed logins per client address: after `maxFailures` in `windowMs`, the address gets error
   * 1129 for `blockMs`. Default DEFAULT_LOGIN_RATE_LIMIT (20 per minute, blocked a minute); false = off.
   */
  readonly loginRateLimit?: LoginRateLimitOptions | false;
  /**
   * Session ids: first, first + step, … (default 1, 2, 3…). Worker k of N uses first k, step N,
   * so ids are unique across workers and KILL SESSION n finds its worker.
   */
  readonly sessionIds?: { readonly first: number; readonly step: number };
  /** version string announced to clients; default: the primary's own (read at start) */
  readonly serverVersion?: string;
  readonly logger?: Logger;
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = {
  minIdle: 4,
  maxIdle: 8,
  maxPerServer: 200,
  acquireTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 300_000,
  livenessCheckAfterMs: 30_000,
};

export const DEFAULT_MAX_PACKET_SIZE = 64 * 1024 * 1024;
