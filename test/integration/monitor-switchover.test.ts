import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Monitor, MonitorEvent } from "../../src/monitor/index.js";
import { useCluster } from "../support/cluster.js";
import {
  LedgerWriter,
  ledgerIds,
  monitorOn,
  restoreTopology,
  waitForTopology,
  writableServers,
} from "./monitor-support.js";

const cluster = useCluster();
const TABLE = "monitor_ledger_switchover";

describe("monitor: planned switchover", () => {
  let monitor: Monitor;
  const events: MonitorEvent[] = [];

  beforeAll(async () => {
    await cluster.rootQuery(
      cluster.primary,
      `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.${TABLE} (id BIGINT PRIMARY KEY, server VARCHAR(32))`,
    );
    await cluster.waitForReplication();
    monitor = monitorOn(cluster, { intervalMs: 300, probeTimeoutMs: 1000, failover: "off" });
    monitor.subscribe((_, e) => events.push(...e));
    monitor.start();
    await waitForTopology(
      monitor,
      (t) => t.leader && t.servers.every((s) => s.state === "up"),
      15_000,
      "all up, leader",
    );
  });

  afterAll(async () => {
    await monitor.stop();
    await restoreTopology(cluster);
  });

  async function switchUnderLoad(target: string, firstId: number) {
    const writer = new LedgerWriter(cluster, monitor, TABLE, firstId);
    writer.start();
    try {
      while (writer.acked.length < 30) await new Promise((r) => setTimeout(r, 10));
      const result = await monitor.switchover(target);
      expect(result).toMatchObject({ kind: "done", newPrimary: target });
      await waitForTopology(
        monitor,
        (t) => t.primary === target && t.servers.some((s) => s.acceptsWrites),
        10_000,
        `${target} primary`,
      );
      const after = writer.acked.length;
      while (writer.acked.length < after + 30) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await writer.stop();
    }
    return writer;
  }

  it("moves the primary to a chosen replica and back with no acknowledged write lost", async () => {
    const original = cluster.primary;
    const target = cluster.replicas[1]!;
    const there = await switchUnderLoad(target.name, 1);
    expect((await writableServers(cluster)).sort()).toEqual([target.name]);
    const onTarget = await ledgerIds(cluster, target, TABLE);
    expect(there.acked.filter((id) => !onTarget.has(id))).toEqual([]);
    expect(there.ackedAt.some((a) => a.server === target.name)).toBe(true);

    const t = await waitForTopology(
      monitor,
      (x) =>
        x.servers
          .filter((s) => s.name !== target.name)
          .every((s) => s.replicatesFrom === target.name && s.readOnly === true && s.state === "up"),
      15_000,
      `everyone replicating from ${target.name}`,
    );
    expect(t.servers.find((s) => s.name === original.name)?.role).toBe("replica");

    const back = await switchUnderLoad(original.name, 1_000_000);
    expect(await writableServers(cluster)).toEqual([original.name]);
    await cluster.waitForReplication();
    const onOriginal = await ledgerIds(cluster, original, TABLE);
    expect([...there.acked, ...back.acked].filter((id) => !onOriginal.has(id))).toEqual([]);
    expect(events.filter((e) => e.kind === "switchover")).toHaveLength(2);
  });

  it("refuses a switchover it cannot do safely, saying why", async () => {
    expect(await monitor.switchover(cluster.primary.name)).toEqual({
      kind: "failed",
      oldPrimary: cluster.primary.name,
      reason: `${cluster.primary.name} is already the primary`,
    });
    expect(await monitor.switchover("nope")).toMatchObject({
      kind: "failed",
      reason: expect.stringMatching(/^unknown server "nope"/),
    });
    expect(events.filter((e) => e.kind === "switchover_failed")).toHaveLength(2);
  });
});
