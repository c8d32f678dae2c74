import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { type LocalCluster, startLocalCluster } from "../../src/cluster/local-cluster.js";
import { ledgerIds } from "./monitor-support.js";
import { type ServeProcess, startServe, waitFor } from "./serve-process.js";

/**
 * Issue 16 item 3: a planned switchover (`SWITCHOVER TO` in the admin interface) under a
 * 16-client mixed load of autocommit writes and reads through `sluice serve` costs no client an
 * error: writes wait while the primary changes, then run on the new one. Own cluster, so the
 * shared one keeps its primary.
 */
const TABLE = "sluice_switchover_load";
let own: LocalCluster;
let cluster: ClusterControl;
let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "sluice-switchover-load-"));

beforeAll(async () => {
  own = await startLocalCluster();
  cluster = own.control;
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE ${cluster.info.database}.${TABLE} (id BIGINT PRIMARY KEY)`,
  );
  await cluster.waitForReplication();
  serve = await startServe(cluster, dir, {
    policyPath: join(process.cwd(), "policies/default.policy"),
    args: [],
    config: (yaml) => yaml.replace("failover: off", "failover: auto"),
  });
  await waitFor("every server up", async () =>
    (await serve.admin("SHOW SERVERS")).every((r) => r.state === "up"),
  );
});

afterAll(async () => {
  serve?.kill();
  await serve?.exited;
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("SWITCHOVER TO under load", () => {
  it("16 clients, autocommit writes and reads: 0 client errors, every acknowledged row on the new primary", async () => {
    const conns = await Promise.all(
      Array.from({ length: 16 }, () =>
        mysql.createConnection({
          host: "127.0.0.1",
          port: serve.ports.proxy,
          user: cluster.info.users.app.user,
          password: cluster.info.users.app.password,
          database: cluster.info.database,
        }),
      ),
    );
    const errors: string[] = [];
    const acked: number[] = [];
    let nextId = 1;
    let stop = false;
    let statements = 0;
    const load = conns.map(async (c, i) => {
      while (!stop) {
        try {
          if (i % 2 === 0) {
            const id = nextId++;
            await c.query(`INSERT INTO ${TABLE} (id) VALUES (?)`, [id]);
            acked.push(id);
          } else {
            await c.query(`SELECT COUNT(*) FROM ${TABLE}`);
          }
          statements++;
        } catch (e) {
          const err = e as { errno?: number; message?: string };
          errors.push(`${err.errno ?? "?"} ${err.message ?? ""}`);
        }
      }
    });
    await sleep(1_500);
    const target = cluster.replicas[0]!;
    const started = Date.now();
    const answer = await serve.admin(`SWITCHOVER TO ${target.name}`);
    const tookMs = Date.now() - started;
    await sleep(1_500);
    stop = true;
    await Promise.all(load);
    await Promise.all(conns.map((c) => c.end()));
    process.stderr.write(
      `[switchover-load] SWITCHOVER TO ${target.name} took ${tookMs} ms; ${statements} statements, ${errors.length} errors\n`,
    );
    expect(answer).toBeDefined();
    const rows = await serve.admin("SHOW SERVERS");
    expect(rows.find((r) => r.role === "primary")?.name).toBe(target.name);
    expect(errors).toEqual([]);
    expect(acked.length).toBeGreaterThan(100);
    const present = await ledgerIds(cluster, target, TABLE);
    expect(acked.filter((id) => !present.has(id))).toEqual([]);
  });
});
