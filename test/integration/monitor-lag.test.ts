import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Monitor, MonitorEvent } from "../../src/monitor/index.js";
import { useCluster } from "../support/cluster.js";
import { monitorOn, restoreTopology, stateOf, waitForTopology } from "./monitor-support.js";

const cluster = useCluster();

describe("monitor: replica lag with hysteresis", () => {
  let monitor: Monitor;
  const events: MonitorEvent[] = [];

  beforeAll(async () => {
    const conn = await cluster.connect(cluster.primary);
    await conn.query(
      "CREATE TABLE IF NOT EXISTS monitor_lag_ticks (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6))",
    );
    await conn.end();
    await cluster.waitForReplication();
    monitor = monitorOn(cluster, {
      intervalMs: 250,
      probeTimeoutMs: 500,
      maxLagSeconds: 1.5,
      lagRecoverSeconds: 0.5,
      graceChecks: 3,
      failover: "off",
    });
    monitor.subscribe((_, e) => events.push(...e));
    monitor.start();
    await waitForTopology(monitor, (t) => t.servers.every((s) => s.state === "up"), 10_000, "all up");
  });

  afterAll(async () => {
    await monitor.stop();
    await cluster.startReplicaSql(cluster.replicas[0]!).catch(() => undefined);
    await restoreTopology(cluster);
  });

  it("takes a replica whose SQL thread stopped out once lag passes max_lag, and back after catching up", async () => {
    const stuck = cluster.replicas[0]!;
    const healthy = cluster.replicas[1]!;
    await cluster.stopReplicaSql(stuck);
    // Seconds_Behind_Master is NULL with the SQL thread stopped: lag must come from GTID positions,
    // which only move while the primary writes — so write continually.
    const conn = await cluster.connect(cluster.primary);
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await conn.query("INSERT INTO monitor_lag_ticks (at) VALUES (NOW(6))");
        await sleep(50);
      }
    })();
    try {
      const lagging = await waitForTopology(
        monitor,
        (t) => stateOf(t, stuck.name) === "lagging",
        15_000,
        `${stuck.name} lagging`,
      );
      const s = lagging.servers.find((x) => x.name === stuck.name);
      expect(s?.lagSeconds).toBeGreaterThan(1.5);
      expect(s?.acceptsReads).toBe(false);
      expect(stateOf(lagging, healthy.name)).toBe("up");

      await cluster.startReplicaSql(stuck);
      let laggingAfterStart = 0;
      const off = monitor.subscribe((t) => {
        if (stateOf(t, stuck.name) === "lagging") laggingAfterStart++;
      });
      const back = await waitForTopology(
        monitor,
        (t) => stateOf(t, stuck.name) === "up",
        15_000,
        `${stuck.name} back`,
      );
      off();
      expect(back.servers.find((x) => x.name === stuck.name)?.acceptsReads).toBe(true);
      // the grace period: caught-up checks that still kept it out
      expect(laggingAfterStart).toBeGreaterThanOrEqual(2);
    } finally {
      writing = false;
      await writer;
      await conn.end();
    }
    const mine = events.filter((e) => "server" in e && e.server === stuck.name);
    expect(mine.filter((e) => e.kind === "lag_over")).toHaveLength(1);
    expect(mine.filter((e) => e.kind === "lag_under")).toHaveLength(1);
    // the healthy replica never changed state while the primary was busy
    expect(events.filter((e) => e.kind === "state_changed" && e.server === healthy.name)).toEqual([]);
  });
});
