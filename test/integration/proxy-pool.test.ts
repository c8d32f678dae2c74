import { describe, expect, it } from "vitest";
import type { BackendChooser } from "../../src/session/backend-chooser.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";

const cluster = useCluster();

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("backend pools through Sluice", () => {
  it("keeps warm connections once a key is used", async () => {
    const proxy = await startTestProxy(cluster, { pool: { minIdle: 3, maxIdle: 6 } });
    try {
      const conn = await connectThrough(proxy, cluster);
      // opened counts connections whose login finished: the warm ones are idle, not still opening
      await until(
        () => proxy.openBackendConnections("primary") === 4 && proxy.poolCounters.opened >= 4,
        "3 warm + 1 leased connections",
      );
      const second = await connectThrough(proxy, cluster);
      expect(proxy.poolCounters.reused).toBeGreaterThanOrEqual(1);
      await Promise.all([conn.end(), second.end()]);
    } finally {
      await proxy.close();
    }
  });

  it("hands a released connection to the next session only after COM_RESET_CONNECTION", async () => {
    const proxy = await startTestProxy(cluster, { pool: { minIdle: 0, maxIdle: 1 } });
    try {
      const first = await connectThrough(proxy, cluster);
      const [[a]] = (await first.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
      await first.query("SET @leftover = 42, SESSION sql_mode = 'ANSI_QUOTES'");
      await first.query("CREATE TEMPORARY TABLE proxy_tmp (x INT)");
      await first.end();
      await until(
        () => proxy.poolCounters.resets === 1 && proxy.openBackendConnections("primary") === 1,
        "the reset",
      );
      await new Promise((r) => setTimeout(r, 50));
      const second = await connectThrough(proxy, cluster);
      const [[b]] = (await second.query(
        "SELECT @@pseudo_thread_id AS t, @leftover AS v, @@SESSION.sql_mode AS mode",
      )) as unknown as [{ t: number; v: unknown; mode: string }[]];
      // the sql_mode a new connection of the same client gets (mysql2's IGNORE_SPACE flag adds
      // IGNORE_SPACE to the global one)
      const fresh = await cluster.connect(cluster.primary);
      const [[c]] = (await fresh.query("SELECT @@SESSION.sql_mode AS mode")) as unknown as [
        { mode: string }[],
      ];
      await fresh.end();
      expect(b?.t).toBe(a?.t);
      expect(b?.v).toBeNull();
      expect(b?.mode).toBe(c?.mode);
      const missing = await rejectionOf(second.query("SELECT * FROM proxy_tmp"));
      expect(missing.errno).toBe(1146);
      await second.end();
    } finally {
      await proxy.close();
    }
  });

  it("waits for a free connection at maxPerServer and times out with 1040", async () => {
    const proxy = await startTestProxy(cluster, {
      pool: { minIdle: 0, maxIdle: 2, maxPerServer: 1, acquireTimeoutMs: 3000 },
    });
    try {
      const holder = await connectThrough(proxy, cluster);
      const waiting = connectThrough(proxy, cluster);
      await new Promise((r) => setTimeout(r, 200));
      await holder.end();
      const second = await waiting;
      const [rows] = await second.query("SELECT 1 AS ok");
      expect(rows).toEqual([{ ok: 1 }]);
      expect(proxy.poolCounters.waits).toBeGreaterThanOrEqual(1);
      const tight = await startTestProxy(cluster, {
        pool: { minIdle: 0, maxPerServer: 1, acquireTimeoutMs: 200 },
      });
      try {
        const h = await connectThrough(tight, cluster);
        const err = await rejectionOf(connectThrough(tight, cluster));
        expect(err.errno).toBe(1040);
        await h.end();
      } finally {
        await tight.close();
      }
      await second.end();
    } finally {
      await proxy.close();
    }
  });

  it("never hands out an idle connection the server killed", async () => {
    const proxy = await startTestProxy(cluster, { pool: { minIdle: 0, maxIdle: 1 } });
    try {
      const first = await connectThrough(proxy, cluster);
      const [[a]] = (await first.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
      await first.end();
      await until(() => proxy.poolCounters.resets === 1, "the reset");
      await new Promise((r) => setTimeout(r, 50));
      await cluster.rootQuery(cluster.primary, `KILL CONNECTION ${a!.t}`);
      await until(() => proxy.openBackendConnections("primary") === 0, "the pool to notice");
      const second = await connectThrough(proxy, cluster);
      const [[b]] = (await second.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
      expect(b?.t).not.toBe(a?.t);
      await second.end();
    } finally {
      await proxy.close();
    }
  });

  it("a chooser that releases between statements multiplexes sessions over fewer backend connections", async () => {
    const releasing = (primary: string): BackendChooser => ({
      choose: () => primary,
      afterResponse: (ctx) => (ctx.inTransaction ? "keep" : "release"),
    });
    const proxy = await startTestProxy(
      cluster,
      { pool: { minIdle: 0, maxIdle: 2, maxPerServer: 2 } },
      { chooser: releasing },
    );
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => connectThrough(proxy, cluster)));
      for (let round = 0; round < 3; round++) {
        for (const [i, c] of clients.entries()) {
          const [rows] = await c.query("SELECT ? AS i, DATABASE() AS d, @x AS leaked", [i]);
          expect(rows).toEqual([{ i, d: cluster.info.database, leaked: null }]);
          await c.query("SET @x = 1");
        }
      }
      // a transaction keeps its connection until it ends
      const t = clients[0]!;
      await t.query("START TRANSACTION");
      const [[a]] = (await t.query("SELECT @@pseudo_thread_id AS id")) as unknown as [{ id: number }[]];
      const [[b]] = (await t.query("SELECT @@pseudo_thread_id AS id")) as unknown as [{ id: number }[]];
      expect(b?.id).toBe(a?.id);
      await t.query("COMMIT");
      expect(proxy.openBackendConnections("primary")).toBeLessThanOrEqual(2);
      expect(proxy.poolCounters.resets).toBeGreaterThan(12);
      await Promise.all(clients.map((c) => c.end()));
    } finally {
      await proxy.close();
    }
  });
});
