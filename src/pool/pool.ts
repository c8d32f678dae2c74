/**
 * Backend connection pools, keyed by server × user × capability profile (see
 * src/protocol/README.md for why the profile is part of the key).
 *
 * Generic over the connection so the bookkeeping is testable with in-memory connections; the
 * runtime plugs in BackendConnection. Rules: a dead connection is never handed out (closed ones
 * leave the idle list at once; long-idle ones are pinged first); a connection given back by a
 * session is reset (COM_RESET_CONNECTION) before anyone else gets it; each server has a hard
 * limit with a FIFO wait queue and a timeout; each used key keeps `minIdle` warm connections.
 */
import {
  keyString,
  type Opener,
  type Poolable,
  type PoolCounters,
  type PoolKey,
  type PoolKeyStats,
  type PoolLimits,
  PoolTimeoutError,
} from "./pool-types.js";

interface Waiter {
  readonly server: string;
  readonly wake: () => void;
}

interface Bucket<C> {
  readonly key: PoolKey;
  readonly idle: C[];
  /** connections being opened for warmth (counted against the server limit) */
  warming: number;
  /** what SHOW POOLS reports: kept per key as connections open and close, never per statement */
  readonly stats: BucketStats;
}

interface BucketStats {
  /** open connections (idle, leased or being reset), not counting those still opening */
  open: number;
  opening: number;
  waiting: number;
  opened: number;
  closed: number;
  waits: number;
  timeouts: number;
}

export class Pool<C extends Poolable> {
  private readonly buckets = new Map<string, Bucket<C>>();
  /** open + opening connections per server */
  private readonly perServer = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  /** per server: holders that would give their connection back early (see offerYield), oldest first */
  private readonly yields = new Map<string, Set<() => void>>();
  private readonly unsubscribe = new WeakMap<C, () => void>();
  private closed = false;
  readonly counters: PoolCounters = {
    opened: 0,
    openFailures: 0,
    reused: 0,
    resets: 0,
    resetsSkipped: 0,
    yields: 0,
    destroyed: 0,
    pingFailures: 0,
    waits: 0,
    timeouts: 0,
  };

  constructor(
    private readonly limits: PoolLimits,
    private readonly open: Opener<C>,
    private readonly onWarmError: (key: PoolKey, error: unknown) => void = () => {},
  ) {}

  openCount(server: string): number {
    return this.perServer.get(server) ?? 0;
  }

  /** Connections to `server` held by callers now: open minus idle and minus those being warmed. */
  busyCount(server: string): number {
    let spare = 0;
    for (const b of this.buckets.values()) if (b.key.server === server) spare += b.idle.length + b.warming;
    return Math.max(0, this.openCount(server) - spare);
  }

  idleCount(key: PoolKey): number {
    return this.buckets.get(keyString(key))?.idle.length ?? 0;
  }

  /** Every key's connections and counters, for the admin interface (read only, built on demand). */
  stats(): PoolKeyStats[] {
    return [...this.buckets.values()].map((b) => ({
      key: b.key,
      open: b.stats.open,
      idle: b.idle.length,
      leased: Math.max(0, b.stats.open - b.idle.length),
      opening: b.stats.opening,
      waiting: b.stats.waiting,
      max: this.limits.maxPerServer,
      openedTotal: b.stats.opened,
      closedTotal: b.stats.closed,
      waitsTotal: b.stats.waits,
      waitTimeouts: b.stats.timeouts,
    }));
  }

  /**
   * A connection for `key`, opened or reused; never one that is closed or failed its ping.
   * `suits`: prefer an idle connection it accepts, else open a new one; only when the server has
   * no room for another is an idle one it rejects handed out (the caller decides what to do).
   */
  async acquire(key: PoolKey, suits?: (conn: C) => boolean): Promise<C> {
    const deadline = Date.now() + this.limits.acquireTimeoutMs;
    const bucket = this.bucket(key);
    let yielded = false;
    for (;;) {
      if (this.closed) throw new Error("pool is closed");
      const idle = await this.takeIdle(bucket, suits);
      if (idle !== undefined) {
        this.counters.reused++;
        this.warm(bucket);
        return idle;
      }
      if (this.openCount(key.server) < this.limits.maxPerServer || this.evictIdleOf(key.server, bucket)) {
        const conn = await this.openTracked(key);
        this.warm(bucket);
        return conn;
      }
      const other = suits === undefined ? undefined : await this.takeIdle(bucket);
      if (other !== undefined) {
        this.counters.reused++;
        return other;
      }
      // Before waiting, one holder that offered to let go does (once per caller: a connection
      // given back with a reset becomes idle later and wakes this caller then).
      if (!yielded && this.takeYield(key.server)) {
        yielded = true;
        this.counters.yields++;
        continue;
      }
      this.counters.waits++;
      bucket.stats.waits++;
      const left = deadline - Date.now();
      bucket.stats.waiting++;
      const room = left > 0 && (await this.waitForRoom(key.server, left));
      bucket.stats.waiting--;
      if (!room) {
        this.counters.timeouts++;
        bucket.stats.timeouts++;
        throw new PoolTimeoutError(
          `no connection to '${key.server}' within ${this.limits.acquireTimeoutMs} ms (maxPerServer ${this.limits.maxPerServer})`,
          this.limits.acquireTimeoutMs,
        );
      }
    }
  }

  /**
   * A caller holding a connection to `server` that it could give back early (a session's courtesy
   * hold after a write, see src/session/quiet-hold.ts) offers it: the next caller that would wait
   * for room on that server has `giveBack` called first, oldest offer first; at once when callers
   * already wait. Returns a function that withdraws the offer.
   */
  offerYield(server: string, giveBack: () => void): () => void {
    if (this.waiters.some((w) => w.server === server)) {
      this.counters.yields++;
      giveBack();
      return () => {};
    }
    let offers = this.yields.get(server);
    if (offers === undefined) {
      offers = new Set();
      this.yields.set(server, offers);
    }
    const offer = () => giveBack();
    offers.add(offer);
    return () => offers.delete(offer);
  }

  private takeYield(server: string): boolean {
    const offers = this.yields.get(server);
    for (const offer of offers ?? []) {
      offers?.delete(offer);
      offer();
      return true;
    }
    return false;
  }

  /**
   * Gives a connection back. `reusable` false (session state Sluice cannot undo, a broken
   * exchange) closes it; otherwise it is reset before it becomes idle, unless the caller knows
   * the session changed nothing a reset would undo (`reset` false).
   */
  release(key: PoolKey, conn: C, reusable: boolean, reset = true): void {
    const bucket = this.bucket(key);
    if (
      !reusable ||
      conn.closed ||
      conn.reading === true ||
      this.closed ||
      bucket.idle.length >= this.limits.maxIdle
    ) {
      conn.destroy();
      return;
    }
    if (!reset) {
      this.counters.resetsSkipped++;
      this.makeIdle(bucket, conn);
      return;
    }
    this.counters.resets++;
    conn.reset().then(
      (ok) => {
        if (!ok || conn.closed || this.closed || bucket.idle.length >= this.limits.maxIdle) {
          conn.destroy();
          return;
        }
        this.makeIdle(bucket, conn);
      },
      () => conn.destroy(),
    );
  }

  private makeIdle(bucket: Bucket<C>, conn: C): void {
    conn.lastUsed = Date.now();
    conn.setIdle(true);
    bucket.idle.push(conn);
    this.wakeOne(bucket.key.server);
  }

  /** Closes idle connections above minIdle that have been idle longer than idleTimeoutMs. */
  sweep(now = Date.now()): void {
    for (const bucket of this.buckets.values()) {
      // idle is LIFO (push/pop at the end): the oldest are at the front
      let surplus = bucket.idle.length - this.limits.minIdle;
      for (const conn of [...bucket.idle]) {
        if (surplus <= 0) break;
        if (now - conn.lastUsed > this.limits.idleTimeoutMs) {
          surplus--;
          const i = bucket.idle.indexOf(conn);
          if (i >= 0) bucket.idle.splice(i, 1);
          conn.destroy();
        }
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const b of this.buckets.values()) for (const c of b.idle.splice(0)) c.destroy();
    for (const w of this.waiters.splice(0)) w.wake();
  }

  private bucket(key: PoolKey): Bucket<C> {
    const k = keyString(key);
    let b = this.buckets.get(k);
    if (b === undefined) {
      b = {
        key,
        idle: [],
        warming: 0,
        stats: { open: 0, opening: 0, waiting: 0, opened: 0, closed: 0, waits: 0, timeouts: 0 },
      };
      this.buckets.set(k, b);
    }
    return b;
  }

  /** The most recently idle connection (that `suits` accepts, when given), pinged if idle long. */
  private async takeIdle(bucket: Bucket<C>, suits?: (conn: C) => boolean): Promise<C | undefined> {
    for (;;) {
      // a closed one is taken too, to be dropped below
      const i =
        suits === undefined ? bucket.idle.length - 1 : bucket.idle.findLastIndex((c) => c.closed || suits(c));
      if (i < 0) return undefined;
      const conn = i === bucket.idle.length - 1 ? bucket.idle.pop() : bucket.idle.splice(i, 1)[0];
      if (conn === undefined || conn.closed) continue;
      conn.setIdle(false);
      if (Date.now() - conn.lastUsed >= this.limits.livenessCheckAfterMs) {
        const alive = await conn.ping().catch(() => false);
        if (!alive || conn.closed) {
          this.counters.pingFailures++;
          conn.destroy();
          continue;
        }
      }
      return conn;
    }
  }

  /** Makes room on a full server by closing an idle connection of another key. */
  private evictIdleOf(server: string, except: Bucket<C>): boolean {
    for (const b of this.buckets.values()) {
      if (b === except || b.key.server !== server) continue;
      const victim = b.idle.shift();
      if (victim !== undefined) {
        victim.destroy();
        return true;
      }
    }
    return false;
  }

  private async openTracked(key: PoolKey): Promise<C> {
    this.perServer.set(key.server, this.openCount(key.server) + 1);
    const bucket = this.bucket(key);
    bucket.stats.opening++;
    let conn: C;
    try {
      conn = await this.open(key);
    } catch (e) {
      bucket.stats.opening--;
      this.counters.openFailures++;
      this.forget(key.server);
      throw e;
    }
    bucket.stats.opening--;
    bucket.stats.open++;
    bucket.stats.opened++;
    this.counters.opened++;
    conn.lastUsed = Date.now();
    this.unsubscribe.set(
      conn,
      conn.onClose(() => {
        this.counters.destroyed++;
        bucket.stats.open--;
        bucket.stats.closed++;
        const i = bucket.idle.indexOf(conn);
        if (i >= 0) bucket.idle.splice(i, 1);
        this.forget(key.server);
      }),
    );
    return conn;
  }

  private forget(server: string): void {
    this.perServer.set(server, Math.max(0, this.openCount(server) - 1));
    this.wakeOne(server);
  }

  /** Keeps minIdle connections ready for a key that is in use (the seeds' proxy kept 4 to 8). */
  private warm(bucket: Bucket<C>): void {
    const missing = this.limits.minIdle - bucket.idle.length - bucket.warming;
    for (let i = 0; i < missing; i++) {
      if (this.closed || this.openCount(bucket.key.server) >= this.limits.maxPerServer) return;
      bucket.warming++;
      this.openTracked(bucket.key).then(
        (conn) => {
          bucket.warming--;
          if (this.closed) conn.destroy();
          else {
            conn.setIdle(true);
            bucket.idle.push(conn);
            this.wakeOne(bucket.key.server);
          }
        },
        (e: unknown) => {
          bucket.warming--;
          this.onWarmError(bucket.key, e);
        },
      );
    }
  }

  private waitForRoom(server: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        server,
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, ms);
      this.waiters.push(waiter);
    });
  }

  private wakeOne(server: string): void {
    const i = this.waiters.findIndex((w) => w.server === server);
    if (i < 0) return;
    const [w] = this.waiters.splice(i, 1);
    w?.wake();
  }
}
