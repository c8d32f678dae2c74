import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { readsTo } from "../support/fault-chooser.js";
import { expectPoolsAtBaseline, restoreCluster } from "../support/fault-cluster.js";
import { LedgerLoad, type LoadTally } from "../support/fault-load.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, startTestProxy } from "./proxy-helpers.js";

/**
 * Servers failing under a mysql2 load through Sluice: kill -9, SIGSTOP and restart of the primary
 * and of a replica. Each scenario runs a few seconds of load around the fault, then checks: every
 * acknowledged insert is on the primary and on both replicas, no worker is stuck, pools are back
 * to baseline. Client errors are reported by category (they are expected while a server is down).
 */
const cluster = useCluster();
let proxy: ProxyHandle;
const tallies: Record<string, LoadTally> = {};

beforeAll(async () => {
  proxy = await startTestProxy(
    cluster,
    { pool: { connectTimeoutMs: 1500, acquireTimeoutMs: 2000 } },
    { chooser: readsTo("replica1") },
  );
});

afterAll(async () => {
  await proxy?.close();
  await restoreCluster(cluster);
  process.stderr.write(
    `[fault] client errors by category per scenario:\n${JSON.stringify(tallies, null, 2)}\n`,
  );
});

/** Runs the load, applies `fault` after a warm-up, lets the load go on after it, then checks. */
async function scenario(name: string, fault: () => Promise<void>): Promise<LoadTally> {
  const table = `fault_ledger_${name.replace(/\W+/g, "_")}`;
  const admin = await connectThrough(proxy, cluster);
  await LedgerLoad.createTable(admin, table);
  await admin.end();
  await cluster.waitForReplication();
  const load = new LedgerLoad({
    connect: () => connectThrough(proxy, cluster, { connectTimeout: 3000 }),
    table,
    writers: 4,
    readers: 2,
    thinkMs: 5,
  });
  load.start();
  await sleep(1500);
  await fault();
  await restoreCluster(cluster);
  // the load must recover: new acknowledged writes after the servers are back
  const after = load.tally.acknowledgedWrites;
  await waitFor(`writes to resume after ${name}`, () => load.tally.acknowledgedWrites > after + 20, 30_000);
  const finished = await load.stop();
  expect(finished, "a worker was stuck in a statement").toBe(true);
  const root = (sql: string) => cluster.rootQuery(cluster.primary, `USE ${cluster.info.database}`, sql);
  expect(await load.missingAcknowledged(root)).toEqual([]);
  await cluster.waitForReplication();
  for (const replica of cluster.replicas) {
    const onReplica = (sql: string) => cluster.rootQuery(replica, `USE ${cluster.info.database}`, sql);
    expect(await load.missingAcknowledged(onReplica), `lost on ${replica.name}`).toEqual([]);
  }
  await expectPoolsAtBaseline(cluster, proxy, cluster.info.users.app.user);
  tallies[name] = load.tally;
  expect(load.tally.acknowledgedWrites).toBeGreaterThan(20);
  const drop = await connectThrough(proxy, cluster);
  await drop.query(`DROP TABLE ${table}`);
  await drop.end();
  return load.tally;
}

describe("primary faults under load", () => {
  it("kill -9 of the primary, then a restart: acknowledged writes survive, clients get clean errors", async () => {
    const tally = await scenario("primary kill -9", async () => {
      await cluster.kill(cluster.primary);
      await sleep(2000);
      await cluster.start(cluster.primary);
    });
    const categories = Object.keys(tally.errors);
    expect(categories.length).toBeGreaterThan(0);
    // every failure is one a client can act on: backend unavailable / lost / pool wait, or the
    // driver seeing its connection end — never a hang or a protocol error from Sluice
    for (const c of categories)
      expect(c).toMatch(/^(2003|2013|1152|1040|1927|PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE)/);
  });

  it("SIGSTOP of the primary for 3 s: statements wait and complete, nothing is lost", async () => {
    const tally = await scenario("primary SIGSTOP", async () => {
      await cluster.pause(cluster.primary);
      await sleep(3000);
      await cluster.resume(cluster.primary);
    });
    for (const c of Object.keys(tally.errors))
      expect(c).toMatch(/^(2003|2013|1152|1040|PROTOCOL_CONNECTION_LOST)/);
  });

  it("clean restart of the primary", async () => {
    await scenario("primary restart", () => cluster.restart(cluster.primary));
  });
});

describe("replica faults under load (reads go to replica1)", () => {
  it("kill -9 of the replica serving reads, then a restart: reads fail cleanly, writes go on", async () => {
    const tally = await scenario("replica kill -9", async () => {
      await cluster.kill(cluster.server("replica1"));
      await sleep(2000);
      await cluster.start(cluster.server("replica1"));
    });
    expect(tally.reads).toBeGreaterThan(0);
    for (const c of Object.keys(tally.errors))
      expect(c).toMatch(/^(2003|2013|1152|1040|PROTOCOL_CONNECTION_LOST)/);
  });

  it("SIGSTOP of the replica for 3 s", async () => {
    await scenario("replica SIGSTOP", async () => {
      await cluster.pause(cluster.server("replica1"));
      await sleep(3000);
      await cluster.resume(cluster.server("replica1"));
    });
  });
});
