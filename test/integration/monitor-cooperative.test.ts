import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Monitor, MonitorEvent } from "../../src/monitor/index.js";
import { useCluster } from "../support/cluster.js";
import { monitorOn, restoreTopology, waitForTopology, writableServers } from "./monitor-support.js";

const cluster = useCluster();

describe("monitor: two Sluice instances on one cluster", () => {
  const monitors: Monitor[] = [];
  const events: MonitorEvent[][] = [[], []];

  beforeAll(async () => {
    for (const i of [0, 1]) {
      const m = monitorOn(
        cluster,
        { intervalMs: 500, probeTimeoutMs: 800, failover: "auto", failAfter: 3 },
        `m${i}`,
      );
      m.subscribe((_, e) => events[i]!.push(...e));
      monitors.push(m);
    }
    for (const m of monitors) m.start();
    await Promise.all(
      monitors.map((m) =>
        waitForTopology(m, (t) => t.servers.every((s) => s.state === "up"), 15_000, "all up"),
      ),
    );
    await waitForTopology(monitors[0]!, () => monitors.some((m) => m.topology?.leader), 15_000, "a leader");
  });

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    await restoreTopology(cluster);
  });

  it("exactly one instance leads; the other cannot act", async () => {
    const leaders = monitors.filter((m) => m.topology?.leader);
    expect(leaders).toHaveLength(1);
    const follower = monitors.find((m) => !m.topology?.leader)!;
    const r = await follower.switchover(cluster.replicas[0]!.name);
    expect(r).toMatchObject({
      kind: "failed",
      reason: expect.stringMatching(/does not hold the monitor lock/),
    });
  });

  it("a killed primary is replaced once, by one instance, and both instances agree on the new primary", async () => {
    const old = cluster.primary;
    await cluster.kill(old);
    const seen = await Promise.all(
      monitors.map((m) =>
        waitForTopology(
          m,
          (t) => t.primary !== null && t.primary !== old.name && t.servers.some((s) => s.acceptsWrites),
          30_000,
          "new primary",
        ),
      ),
    );
    expect(seen[0]!.primary).toBe(seen[1]!.primary);
    const failovers = events.flat().filter((e) => e.kind === "failover");
    expect(failovers).toHaveLength(1);
    expect(await writableServers(cluster)).toEqual([seen[0]!.primary]);
    // let both keep checking a while: still one promotion, one writable server
    await new Promise((r) => setTimeout(r, 2_000));
    expect(events.flat().filter((e) => e.kind === "failover")).toHaveLength(1);
    expect(await writableServers(cluster)).toEqual([seen[0]!.primary]);
  });

  it("the leader's locks pass to the other instance when it stops", async () => {
    const leader = monitors.find((m) => m.topology?.leader)!;
    const other = monitors.find((m) => m !== leader)!;
    await leader.stop();
    await waitForTopology(other, (t) => t.leader, 15_000, "the other instance leads");
  });
});
