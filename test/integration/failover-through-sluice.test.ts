import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { type LocalCluster, startLocalCluster } from "../../src/cluster/local-cluster.js";
import { SluiceRuntime } from "../../src/runtime/sluice-runtime.js";
import { ledgerIds } from "./monitor-support.js";

/**
 * Issue 7 end to end: Sluice (`serve` runtime, monitor with failover auto, default.policy) in
 * front of a cluster while servers die under load. The cluster is this file's own: a primary
 * killed mid-commit may keep a transaction no replica received, and such a server can only be
 * rebuilt, so the shared cluster of the other files is never put at that risk.
 */
let own: LocalCluster;
let cluster: ClusterControl;
const TABLE = "sluice_failover_ledger";
const dir = mkdtempSync(join(tmpdir(), "sluice-failover-"));
let runtime: SluiceRuntime;
let port = 0;

function client() {
  return mysql.createConnection({
    host: "127.0.0.1",
    port,
    user: cluster.info.users.app.user,
    password: cluster.info.users.app.password,
    database: cluster.info.database,
    connectTimeout: 10_000,
  });
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  own = await startLocalCluster();
  cluster = own.control;
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.${TABLE} (id BIGINT PRIMARY KEY)`,
  );
  await cluster.waitForReplication();
  await cluster.setSemiSync(true);
  const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
  port = proxy;
  const configPath = join(dir, "sluice.yaml");
  writeFileSync(
    configPath,
    demoConfigYaml(cluster.info, { proxy, admin, http }, join(process.cwd(), "policies/default.policy")),
  );
  for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] = value(cluster.info);
  const started = await SluiceRuntime.start(
    configPath,
    pino({ level: process.env.SLUICE_TEST_LOG ?? "silent" }),
  );
  if (started.kind === "invalid") throw new Error(started.report);
  runtime = started.runtime;
  await until(
    "the monitor to lead with every server up",
    () =>
      runtime.monitor.topology?.leader === true &&
      runtime.monitor.topology.servers.every((s) => s.state === "up"),
    20_000,
  );
});

afterAll(async () => {
  await runtime?.shutdown();
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("failures under load, through Sluice", () => {
  it("keeps answering reads when a replica is killed (reads retried elsewhere before any byte was sent)", async () => {
    const conns = await Promise.all([client(), client(), client(), client()]);
    const errors: string[] = [];
    let reads = 0;
    let stop = false;
    const load = conns.map(async (c) => {
      while (!stop) {
        try {
          await c.query(`SELECT COUNT(*) FROM ${TABLE}`);
          reads++;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    });
    await sleep(1_000);
    const victim = cluster.replicas[0]!;
    await cluster.kill(victim);
    await sleep(4_000);
    stop = true;
    await Promise.all(load);
    await Promise.all(conns.map((c) => c.end()));
    const state = runtime.monitor.topology?.servers.find((s) => s.name === victim.name)?.state;
    await cluster.start(victim);
    await cluster.waitForReplication();
    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThan(100);
    expect(state).toBe("down");
  });

  it("fails over a killed primary under a write load: writes resume within 10 s and no acknowledged row is lost", async () => {
    await until(
      "the killed replica to be back in rotation",
      () => runtime.monitor.topology?.servers.every((s) => s.state === "up") === true,
      30_000,
    );
    let conn = await client();
    const acked: number[] = [];
    let nextId = 1;
    let killedAt = 0;
    let firstAfterKill = 0;
    let errors = 0;
    const writes = (async () => {
      for (;;) {
        if (
          killedAt > 0 &&
          (firstAfterKill > 0
            ? acked.length > 0 && Date.now() - firstAfterKill > 1_000
            : Date.now() - killedAt > 30_000)
        )
          return;
        const id = nextId++;
        const sentAt = Date.now();
        try {
          await conn.query(`INSERT INTO ${TABLE} (id) VALUES (?)`, [id]);
          acked.push(id);
          // only a write sent after the primary was gone shows that writes resumed
          if (killedAt > 0 && sentAt > killedAt && firstAfterKill === 0) firstAfterKill = Date.now();
        } catch {
          errors++;
          await sleep(50);
          if ((conn as unknown as { connection?: { _closing?: boolean } }).connection?._closing === true) {
            conn = await client().catch(() => conn);
          }
        }
      }
    })();
    await sleep(1_500);
    const oldPrimary = cluster.primary;
    const killStarted = Date.now();
    await cluster.kill(oldPrimary);
    killedAt = Date.now();
    process.stderr.write(`[failover] kill -9 took ${killedAt - killStarted} ms\n`);
    await writes;
    await conn.end().catch(() => undefined);

    const resumeMs = firstAfterKill - killedAt;
    const topology = runtime.monitor.topology!;
    const newPrimary = cluster.info.servers.find((s) => s.name === topology.primary)!;
    process.stderr.write(
      `[failover] writes resumed ${resumeMs} ms after kill -9 of the primary; new primary ${newPrimary.name}; ${errors} failed writes meanwhile\n`,
    );
    expect(firstAfterKill).toBeGreaterThan(0);
    expect(resumeMs).toBeLessThan(10_000);
    expect(newPrimary.name).not.toBe(oldPrimary.name);
    const present = await ledgerIds(cluster, newPrimary, TABLE);
    expect(acked.filter((id) => !present.has(id))).toEqual([]);

    // the old primary comes back fenced, as a read-only replica of the new one
    await cluster.start(oldPrimary);
    await until(
      "the old primary to rejoin as a replica",
      () => runtime.monitor.topology?.servers.find((s) => s.name === oldPrimary.name)?.role === "replica",
      40_000,
    );
    const [row] = await cluster.rootQuery(oldPrimary, "SELECT @@read_only AS ro");
    expect(row?.ro).toBe(1);
  });
});
