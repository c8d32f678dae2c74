import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Pool, type Poolable, type PoolKey, type PoolLimits, PoolTimeoutError } from "../../src/pool/pool.js";

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
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("acquire" as const), user: fc.constantFrom("a", "b") }),
            fc.record({ op: fc.constant("release" as const), index: fc.nat(), reusable: fc.boolean() }),
            fc.record({ op: fc.constant("kill-idle" as const), index: fc.nat() }),
          ),
          { maxLength: 40 },
        ),
        async (ops) => {
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
            } else if (o.op === "kill-idle") {
              const idle = opened.filter((c) => c.idle && !c.closed);
              idle[o.index % Math.max(1, idle.length)]?.destroy();
            }
            await tick();
            expect(pool.openCount("primary")).toBeLessThanOrEqual(limits.maxPerServer);
            expect(opened.filter((c) => !c.closed).length).toBeLessThanOrEqual(limits.maxPerServer);
          }
          pool.close();
        },
      ),
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
