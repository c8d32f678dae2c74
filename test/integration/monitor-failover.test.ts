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
const TABLE = "monitor_ledger_failover";

describe("monitor: automatic failover of a killed primary", () => {
  let monitor: Monitor;
  const events: MonitorEvent[] = [];

  beforeAll(async () => {
    await cluster.rootQuery(
      cluster.primary,
      `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.${TABLE} (id BIGINT PRIMARY KEY, server VARCHAR(32))`,
    );
    await cluster.waitForReplication();
    // Semi-synchronous replication: a commit is acknowledged only once a replica has it in its
    // relay log. Without it, no failover tool can promise that acknowledged transactions survive
    // the primary's death; with it, the monitor's part is to promote the replica that received
    // the most and let it apply everything first.
    await cluster.setSemiSync(true);
    monitor = monitorOn(cluster, {
      intervalMs: 1000,
      probeTimeoutMs: 1000,
      failover: "auto",
      failAfter: 3,
      graceChecks: 2,
    });
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
    for (const s of cluster.info.servers) {
      await cluster.start(s);
      for (const sql of [
        "SET GLOBAL rpl_semi_sync_master_enabled = 0",
        "SET GLOBAL rpl_semi_sync_slave_enabled = 0",
      ]) {
        await cluster.rootQuery(s, sql).catch(() => undefined);
      }
    }
    await restoreTopology(cluster);
  });

  it("promotes a replica, loses no acknowledged write, and fences the old primary into a replica", async () => {
    const old = cluster.primary;
    const writer = new LedgerWriter(cluster, monitor, TABLE);
    writer.start();
    try {
      while (writer.acked.length < 50) await new Promise((r) => setTimeout(r, 20));
      const killedAt = Date.now();
      await cluster.kill(old);
      const promoted = await waitForTopology(
        monitor,
        (t) => t.primary !== null && t.primary !== old.name && t.servers.some((s) => s.acceptsWrites),
        30_000,
        "a new primary",
      );
      const newPrimary = promoted.primary!;
      // first acknowledged write after the kill, wherever it went
      while (!writer.ackedAt.some((a) => a.at > killedAt)) await new Promise((r) => setTimeout(r, 20));
      const firstWrite = writer.ackedAt.find((a) => a.at > killedAt)!;
      const recoveryMs = firstWrite.at - killedAt;
      process.stderr.write(
        `[monitor-failover] first successful write ${recoveryMs} ms after kill -9 of ${old.name} (interval 1000 ms, failAfter 3) on ${firstWrite.server}\n`,
      );
      expect(firstWrite.server).toBe(newPrimary);
      expect(cluster.replicas.map((r) => r.name)).toContain(newPrimary);
      while (writer.acked.length < writer.ackedAt.indexOf(firstWrite) + 30)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await writer.stop();
    }

    const newPrimary = monitor.topology!.primary!;
    const onNew = await ledgerIds(cluster, cluster.server(newPrimary), TABLE);
    const lost = writer.acked.filter((id) => !onNew.has(id));
    expect(lost).toEqual([]);
    expect(events.filter((e) => e.kind === "failover")).toHaveLength(1);
    expect(await writableServers(cluster)).toEqual([newPrimary]);

    // The old primary comes back writable (its own config says so): fenced, then a replica.
    await cluster.start(old);
    const rejoined = await waitForTopology(
      monitor,
      (t) => {
        const s = t.servers.find((x) => x.name === old.name);
        return s?.readOnly === true && s.replicatesFrom === newPrimary && s.state === "up";
      },
      30_000,
      `${old.name} rejoined as a replica of ${newPrimary}`,
    );
    expect(rejoined.primary).toBe(newPrimary);
    expect(await writableServers(cluster)).toEqual([newPrimary]);
    const [status] = await cluster.rootQuery(old, "SHOW SLAVE STATUS");
    expect(status?.Slave_IO_Running).toBe("Yes");
    expect(status?.Slave_SQL_Running).toBe("Yes");
    expect(events.filter((e) => e.kind === "fenced" || e.kind === "rejoined").map((e) => e.kind)).toEqual(
      expect.arrayContaining(["fenced", "rejoined"]),
    );
    // the other replica follows the new primary too
    const other = cluster.replicas.find((r) => r.name !== newPrimary)!;
    expect(rejoined.servers.find((s) => s.name === other.name)?.replicatesFrom).toBe(newPrimary);
  });
});
