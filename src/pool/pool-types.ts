/** What the pools are keyed by, what they hold and what they report (see pool.ts). */
export interface Poolable {
  readonly closed: boolean;
  lastUsed: number;
  /** COM_PING: true when the connection answered */
  ping(): Promise<boolean>;
  /** COM_RESET_CONNECTION: true when the connection is clean again */
  reset(): Promise<boolean>;
  destroy(): void;
  /** told when the connection enters (true) or leaves (false) the idle list */
  setIdle(idle: boolean): void;
  onClose(listener: () => void): () => void;
  /**
   * Someone still reads an answer on it (a command of Sluice's or a forwarded one): given back
   * now, a reset would run into that answer, so the pool closes it instead.
   */
  readonly reading?: boolean;
}

export interface PoolKey {
  readonly server: string;
  readonly user: string;
  /** capability flags + collation the connection was opened with, as a string */
  readonly profile: string;
}

export interface PoolLimits {
  readonly minIdle: number;
  readonly maxIdle: number;
  readonly maxPerServer: number;
  readonly acquireTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly livenessCheckAfterMs: number;
}

export type Opener<C extends Poolable> = (key: PoolKey) => Promise<C>;

export class PoolTimeoutError extends Error {
  readonly code = "POOL_TIMEOUT";
  constructor(
    message: string,
    readonly waitedMs: number,
  ) {
    super(message);
  }
}

/** One pool key's connections and history, as plain numbers (admin SHOW POOLS). */
export interface PoolKeyStats {
  readonly key: PoolKey;
  /** open connections: idle + leased, not counting those still being opened */
  readonly open: number;
  readonly idle: number;
  /** open and not idle: held by a session (or being reset on its way back) */
  readonly leased: number;
  /** being connected and authenticated now */
  readonly opening: number;
  /** callers waiting for room on the key's server now */
  readonly waiting: number;
  /** the server's connection limit (maxPerServer, shared by all keys of the server) */
  readonly max: number;
  readonly openedTotal: number;
  readonly closedTotal: number;
  /** acquires that had to wait for room, and those that gave up */
  readonly waitsTotal: number;
  readonly waitTimeouts: number;
}

export interface PoolCounters {
  opened: number;
  openFailures: number;
  reused: number;
  resets: number;
  /** connections given back that needed no reset (the session changed nothing) */
  resetsSkipped: number;
  /** holders asked to give a connection back early because callers waited (offerYield) */
  yields: number;
  destroyed: number;
  pingFailures: number;
  waits: number;
  timeouts: number;
}

export function keyString(key: PoolKey): string {
  return `${key.server}\u0000${key.user}\u0000${key.profile}`;
}
