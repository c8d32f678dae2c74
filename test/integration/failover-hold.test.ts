import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Topology } from "../../src/monitor/types.js";
import { staticTopology } from "../../src/routing/static-topology.js";
import { loadActivePolicy } from "../../src/runtime/active-policy.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { routingHook } from "../../src/runtime/routing-environment.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";

/**
 * While no primary can take a write (a failover or switchover under way), a statement outside a
 * transaction waits up to the failover hold for one instead of failing (issue 16: a planned
 * switchover costs no client an error). The topology here is the test's own: the primary is shown
 * down, then up again, as a monitor would publish a promotion.
 */
const cluster = useCluster();
const TABLE = "failover_hold_t";

async function proxyWithHold(holdMs: number, topology: () => Topology): Promise<ProxyHandle> {
  const loaded = await loadActivePolicy(["policies/default.policy"], 1);
  if (loaded.kind !== "ok") throw new Error(loaded.report);
  const hook = routingHook({
    policy: () => loaded.policy,
    topology,
    multiplexing: true,
    failoverHoldMs: holdMs,
  });
  return startTestProxy(cluster, {}, { routing: (pool) => hook(pool) });
}

function withPrimaryDown(t: Topology): Topology {
  return {
    ...t,
    servers: t.servers.map((s) =>
      s.role === "primary"
        ? { ...s, state: "down", health: "down", acceptsWrites: false, acceptsReads: false }
        : s,
    ),
  };
}

const up = staticTopology(
  cluster.info.servers.map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role })),
);
const down = withPrimaryDown(up);

beforeAll(async () => {
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, v INT)`,
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await cluster.rootQuery(cluster.primary, `DROP TABLE IF EXISTS ${cluster.info.database}.${TABLE}`);
});

describe("statements wait for a primary during a failover", () => {
  it("a write outside a transaction waits for the new primary and runs there", async () => {
    let current = down;
    const proxy = await proxyWithHold(5_000, () => current);
    const conn = await connectThrough(proxy, cluster);
    try {
      const started = Date.now();
      setTimeout(() => {
        current = up;
      }, 600);
      const [ok] = await conn.query(`INSERT INTO ${TABLE} (v) VALUES (1)`);
      expect((ok as { affectedRows: number }).affectedRows).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      await conn.end();
      await proxy.close();
    }
  });

  it("without a hold, or past it, the client gets the error at once", async () => {
    const proxy = await proxyWithHold(300, () => down);
    const conn = await connectThrough(proxy, cluster);
    try {
      const started = Date.now();
      const e = await rejectionOf(conn.query(`INSERT INTO ${TABLE} (v) VALUES (2)`));
      expect(e.message).toMatch(/Sluice cannot reach backend .*primary/);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(3_000);
    } finally {
      await conn.end();
      await proxy.close();
    }
  });
});
