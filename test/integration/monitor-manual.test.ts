import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Monitor, MonitorEvent } from "../../src/monitor/index.js";
import { useCluster } from "../support/cluster.js";
import { monitorOn, restoreTopology, stateOf, waitForTopology, writableServers } from "./monitor-support.js";

const cluster = useCluster();

describe("monitor: failover: manual", () => {
  let monitor: Monitor;
  const events: MonitorEvent[] = [];

  beforeAll(async () => {
    monitor = monitorOn(cluster, { intervalMs: 300, probeTimeoutMs: 800, failover: "manual", failAfter: 2 });
    monitor.subscribe((_, e) => events.push(...e));
    monitor.start();
    await waitForTopology(
      monitor,
      (t) => t.leader && t.servers.every((s) => s.state === "up"),
      15_000,
      "all up",
    );
  });

  afterAll(async () => {
    await monitor.stop();
    await restoreTopology(cluster);
  });

  it("reports a dead primary and waits for the operator, then fails over on request", async () => {
    const old = cluster.primary;
    await cluster.kill(old);
    const down = await waitForTopology(
      monitor,
      (t) => stateOf(t, old.name) === "down",
      10_000,
      "primary down",
    );
    expect(down.primary).toBe(old.name);
    expect(down.servers.some((s) => s.acceptsWrites)).toBe(false);
    await waitForTopology(
      monitor,
      (t) => t.problems.some((p) => p.includes("fail over by hand")),
      10_000,
      "a problem saying what to do",
    );
    expect(events.some((e) => e.kind === "failover")).toBe(false);
    expect(await writableServers(cluster)).toEqual([]);

    const result = await monitor.failover();
    expect(result.kind).toBe("done");
    const newPrimary = result.kind === "done" ? result.newPrimary : "";
    expect(monitor.topology?.primary).toBe(newPrimary);
    expect(await writableServers(cluster)).toEqual([newPrimary]);
    expect(events.filter((e) => e.kind === "failover")).toHaveLength(1);
    expect(events).toContainEqual({ kind: "new_primary", server: newPrimary, previous: old.name });

    // a second request has nothing to do
    expect(await monitor.failover()).toMatchObject({
      kind: "failed",
      reason: `primary ${newPrimary} is not down`,
    });
  });
});
