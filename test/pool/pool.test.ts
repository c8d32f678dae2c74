import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Pool } from "../../src/pool/pool.js";
import { type Poolable, type PoolKey, type PoolLimits, PoolTimeoutError } from "../../src/pool/pool-types.js";

/** An in-memory connection: real Pool code, no sockets. */
class MemConn implements Poolable {
  static nextId = 1;
  readonly id = MemConn.nextId++;
  closed = false;
  lastUsed = Date.now();
  idle = false;
  leased = false;
  resets = 0;
  alive = true;
  private listeners: (() => void)[] = [];
  async ping(): Promise<boolean> {
    return this.alive;
  }
  async reset(): Promise<boolean> {
    this.resets++;
    return this.alive;
  }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners) l();
  }
  setIdle(idle: boolean): void {
    this.idle = idle;
  }
  onClose(l: () => void): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }
}

const limits: PoolLimits = {
  minIdle: 0,
  maxIdle: 4,
  maxPerServer: 3,
  acquireTimeoutMs: 50,
  idleTimeoutMs: 60_000,
  livenessCheckAfterMs: 60_000,
};

const key = (user: string, server = "primary"): PoolKey => ({ server, user, profile: "p" });

/** Random pool traffic: acquires for two users, releases, and servers closing connections. */
const poolOps = (maxLength: number) =>
  fc.array(
    fc.oneof(
      fc.record({ op: fc.constant("acquire" as const), user: fc.constantFrom("a", "b") }),
      fc.record({ op: fc.constant("release" as const), index: fc.nat(), reusable: fc.boolean() }),
      fc.record({ op: fc.constant("kill" as const), index: fc.nat(), idleOnly: fc.boolean() }),
    ),
    { maxLength },
  );
const tick = () => new Promise((r) => setTimeout(r, 1));

function makePool(l: Partial<PoolLimits> = {}) {
  const opened: MemConn[] = [];
  const pool = new Pool<MemConn>({ ...limits, ...l }, async () => {
    const c = new MemConn();
    opened.push(c);
    return c;
  });
  return { pool, opened };
}

describe("Pool", () => {
  it("never exceeds maxPerServer and never hands out a closed or leased connection (random runs)", async () => {
    await fc.assert(
      fc.asyncProperty(poolOps(40), async (ops) => {
        const { pool, opened } = makePool({ acquireTimeoutMs: 5, minIdle: 1 });
        const held: { conn: MemConn; k: PoolKey }[] = [];
        for (const o of ops) {
          if (o.op === "acquire") {
            const k = key(o.user);
            try {
              const conn = await pool.acquire(k);
              expect(conn.closed).toBe(false);
              expect(conn.leased).toBe(false);
              conn.leased = true;
              held.push({ conn, k });
            } catch (e) {
              expect(e).toBeInstanceOf(PoolTimeoutError);
            }
          } else if (o.op === "release" && held.length > 0) {
            const [h] = held.splice(o.index % held.length, 1);
            h!.conn.leased = false;
            pool.release(h!.k, h!.conn, o.reusable);
          } else if (o.op === "kill") {
            const idle = opened.filter((c) => c.idle && !c.closed);
            idle[o.index % Math.max(1, idle.length)]?.destroy();
          }
          await tick();
          expect(pool.openCount("primary")).toBeLessThanOrEqual(limits.maxPerServer);
          expect(opened.filter((c) => !c.closed).length).toBeLessThanOrEqual(limits.maxPerServer);
        }
        pool.close();
      }),
      { numRuns: 60 },
    );
  });

  it("resets a released connection before another session gets it", async () => {
    const { pool } = makePool();
    const c1 = await pool.acquire(key("a"));
    pool.release(key("a"), c1, true);
    await tick();
    const c2 = await pool.acquire(key("a"));
    expect(c2).toBe(c1);
    expect(c2.resets).toBe(1);
    expect(pool.counters.reused).toBe(1);
  });

  it("prefers an idle connection that suits, else opens one, and hands out one that does not only when full", async () => {
    const { pool, opened } = makePool({ maxPerServer: 2 });
    const [c1, c2] = [await pool.acquire(key("a")), await pool.acquire(key("a"))];
    pool.release(key("a"), c1, true, false);
    pool.release(key("a"), c2, true, false);
    const suitsC1 = (c: MemConn) => c === c1;
    // c2 is the most recently idle, but c1 is the one that suits
    expect(await pool.acquire(key("a"), suitsC1)).toBe(c1);
    pool.release(key("a"), c1, true, false);
    const none = () => false;
    // full (2 open): an unsuitable idle one is handed out rather than waiting
    const unsuitable = await pool.acquire(key("a"), none);
    expect([c1, c2]).toContain(unsuitable);
    pool.release(key("a"), unsuitable, false); // the caller closes it: room for a fresh one
    const fresh = await pool.acquire(key("a"), none);
    expect(opened).toHaveLength(3);
    expect(fresh).toBe(opened[2]);
  });

  it("pings a long-idle connection first and drops it when it is dead", async () => {
    const { pool, opened } = makePool({ livenessCheckAfterMs: 0 });
    const c1 = await pool.acquire(key("a"));
    pool.release(key("a"), c1, true);
    await tick();
    c1.alive = false;
    const c2 = await pool.acquire(key("a"));
    expect(c2).not.toBe(c1);
    expect(c1.closed).toBe(true);
    expect(pool.counters.pingFailures).toBe(1);
    expect(opened.length).toBe(2);
  });

  it("queues acquirers at the limit, serves them on release, times them out otherwise", async () => {
    const { pool } = makePool({ maxPerServer: 1, acquireTimeoutMs: 200 });
    const c1 = await pool.acquire(key("a"));
    const waiting = pool.acquire(key("a"));
    await tick();
    pool.release(key("a"), c1, true);
    expect(await waiting).toBe(c1);
    const timedOut = pool.acquire(key("a")).catch((e: unknown) => e);
    expect(await timedOut).toBeInstanceOf(PoolTimeoutError);
    expect(pool.counters.timeouts).toBe(1);
  });

  it("evicts another key's idle connection to make room on a full server", async () => {
    const { pool } = makePool({ maxPerServer: 1 });
    const a = await pool.acquire(key("a"));
    pool.release(key("a"), a, true);
    await tick();
    const b = await pool.acquire(key("b"));
    expect(b).not.toBe(a);
    expect(a.closed).toBe(true);
  });

  it("keeps minIdle warm connections for a used key and trims idle ones above it", async () => {
    const { pool } = makePool({ minIdle: 2, maxPerServer: 10, idleTimeoutMs: 0 });
    const c = await pool.acquire(key("a"));
    await tick();
    expect(pool.idleCount(key("a"))).toBe(2);
    pool.release(key("a"), c, true);
    await tick();
    expect(pool.idleCount(key("a"))).toBe(3);
    pool.sweep(Date.now() + 10);
    expect(pool.idleCount(key("a"))).toBe(2);
  });
});

describe("Pool.stats (SHOW POOLS)", () => {
  it("agrees with the connections themselves after any sequence of acquires, releases and deaths", async () => {
    await fc.assert(
      fc.asyncProperty(poolOps(30), async (ops) => {
        const { pool, opened } = makePool({ acquireTimeoutMs: 2, minIdle: 1 });
        const held: { conn: MemConn; k: PoolKey }[] = [];
        for (const o of ops) {
          if (o.op === "acquire") {
            const k = key(o.user);
            const conn = await pool.acquire(k).catch(() => undefined);
            if (conn !== undefined) held.push({ conn, k });
          } else if (o.op === "release" && held.length > 0) {
            const [h] = held.splice(o.index % held.length, 1);
            pool.release(h!.k, h!.conn, o.reusable);
          } else if (o.op === "kill") {
            const live = opened.filter((c) => !c.closed && (c.idle || !o.idleOnly));
            live[o.index % Math.max(1, live.length)]?.destroy();
          }
          await tick();
          for (let i = held.length - 1; i >= 0; i--) if (held[i]!.conn.closed) held.splice(i, 1);
          const stats = pool.stats();
          for (const s of stats) {
            expect(s.open).toBe(s.openedTotal - s.closedTotal);
            expect(s.idle).toBe(pool.idleCount(s.key));
            expect(s.leased).toBe(held.filter((h) => h.k.user === s.key.user).length);
            expect(s.opening + s.waiting).toBe(0);
          }
          const open = stats.reduce((n, s) => n + s.open, 0);
          expect(open).toBe(opened.filter((c) => !c.closed).length);
          expect(open).toBe(pool.openCount("primary"));
        }
        pool.close();
      }),
      { numRuns: 60 },
    );
  });

  it("counts callers waiting for room, waits and timeouts per key", async () => {
    const { pool } = makePool({ maxPerServer: 1, acquireTimeoutMs: 30 });
    const c1 = await pool.acquire(key("a"));
    const waiting = pool.acquire(key("b")).catch((e: unknown) => e);
    await tick();
    const during = pool.stats().find((s) => s.key.user === "b");
    expect(during).toMatchObject({ waiting: 1, waitsTotal: 1, waitTimeouts: 0, open: 0, max: 1 });
    expect(await waiting).toBeInstanceOf(PoolTimeoutError);
    expect(pool.stats().find((s) => s.key.user === "b")).toMatchObject({ waiting: 0, waitTimeouts: 1 });
    expect(pool.stats().find((s) => s.key.user === "a")).toMatchObject({ open: 1, leased: 1, idle: 0 });
    pool.release(key("a"), c1, true);
    pool.close();
  });
});

describe("Pool: giving back without a reset, and holders that yield", () => {
  it("a connection given back with reset false is idle at once and not reset", async () => {
    const { pool } = makePool({ maxPerServer: 1 });
    const c = await pool.acquire(key("a"));
    pool.release(key("a"), c, true, false);
    expect(c.resets).toBe(0);
    expect(pool.idleCount(key("a"))).toBe(1);
    expect(await pool.acquire(key("a"))).toBe(c);
    expect(pool.counters).toMatchObject({ resetsSkipped: 1, resets: 0 });
    pool.close();
  });

  it("a caller that would wait takes a connection offered by a holder, before any timeout", async () => {
    const { pool } = makePool({ maxPerServer: 1, acquireTimeoutMs: 60_000 });
    const c = await pool.acquire(key("a"));
    let gaveBack = 0;
    pool.offerYield("primary", () => {
      gaveBack++;
      pool.release(key("a"), c, true);
    });
    // another key: the yielded idle connection is closed to make room for a new one
    const d = await pool.acquire(key("b"));
    expect(gaveBack).toBe(1);
    expect(pool.counters.yields).toBe(1);
    expect(pool.openCount("primary")).toBe(1);
    pool.release(key("b"), d, true);
    pool.close();
  });

  it("a withdrawn offer is not taken, and an offer made while callers wait is taken at once", async () => {
    const { pool } = makePool({ maxPerServer: 1, acquireTimeoutMs: 20 });
    const c = await pool.acquire(key("a"));
    const withdraw = pool.offerYield("primary", () => pool.release(key("a"), c, true));
    withdraw();
    expect(await pool.acquire(key("a")).catch((e: unknown) => e)).toBeInstanceOf(PoolTimeoutError);
    const { pool: busy } = makePool({ maxPerServer: 1, acquireTimeoutMs: 60_000 });
    const e = await busy.acquire(key("a"));
    const waiting = busy.acquire(key("a"));
    await tick();
    let gaveBack = false;
    busy.offerYield("primary", () => {
      gaveBack = true;
      busy.release(key("a"), e, true, false);
    });
    expect(gaveBack).toBe(true);
    expect(await waiting).toBe(e);
    pool.release(key("a"), c, true);
    pool.close();
    busy.close();
  });
});
