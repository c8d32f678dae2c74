import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { useCluster } from "../support/cluster.js";
import { metricSum, type ServeProcess, startServe, waitFor } from "./serve-process.js";

const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-workers-"));
const policyPath = join(dir, "active.policy");
let serve: ServeProcess;

const serving = async () => (await serve.admin("SHOW WORKERS")).filter((w) => w.state === "serving");

beforeAll(async () => {
  copyFileSync("policies/default.policy", policyPath);
  const conn = await cluster.connect(cluster.primary);
  await conn.query("CREATE TABLE IF NOT EXISTS workers_rows (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  await conn.query("INSERT INTO workers_rows (v) VALUES (1), (2), (3)");
  await conn.end();
  await cluster.waitForReplication();
  serve = await startServe(cluster, dir, { policyPath, args: ["--workers", "2"] });
  await waitFor("both workers serving", async () => (await serving()).length === 2);
});

afterAll(async () => {
  serve?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens `n` logged-in clients through Sluice, one after the other (the primary deals them out in turn). */
async function clients(n: number): Promise<mysql.Connection[]> {
  const conns: mysql.Connection[] = [];
  for (let i = 0; i < n; i++) conns.push(await serve.client());
  return conns;
}

describe("sluice serve --workers 2", () => {
  it("runs one monitor, in the primary process, whatever the number of workers", async () => {
    await sleep(2_500); // a few monitor intervals: every monitor that runs has connected by now
    const user = cluster.info.users.monitor.user;
    for (const server of cluster.info.servers) {
      const rows = await cluster.rootQuery(
        server,
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${user}'`,
      );
      expect(Number(rows[0]?.n), `monitor connections on ${server.name}`).toBe(1);
    }
  });

  it("spreads clients over both workers and adds their work up in SHOW DIGESTS and /metrics", async () => {
    const before = await serve.metrics();
    const conns = await clients(8);
    const workers = await serve.admin("SHOW WORKERS");
    expect(workers.map((w) => w.worker)).toEqual(["1", "2"]);
    const perWorker = workers.map((w) => Number(w.clients));
    expect(
      perWorker.every((n) => n > 0),
      `clients per worker: ${perWorker}`,
    ).toBe(true);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(8);
    const during = await serve.metrics();
    // recorded from the primary's monitor (workers run none)
    expect(metricSum(during, "sluice_server_state", { server: "primary", state: "up" })).toBe(1);
    expect(metricSum(during, "sluice_server_state", { server: "replica1" })).toBe(1);
    for (const w of ["1", "2"]) {
      expect(metricSum(during, "sluice_worker_up", { worker: w })).toBe(1);
      expect(metricSum(during, "sluice_worker_client_connections", { worker: w })).toBeGreaterThan(0);
    }

    for (const c of conns)
      for (let i = 0; i < 5; i++) await c.query("SELECT v FROM workers_rows WHERE id = ?", [1 + (i % 3)]);
    for (const c of conns) await c.query("INSERT INTO workers_rows (v) VALUES (?)", [9]);
    await Promise.all(conns.map((c) => c.end()));

    const after = await serve.metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      metricSum(after, name, labels) - metricSum(before, name, labels);
    expect(delta("sluice_rule_hits_total", { rule: "reads" })).toBe(40);
    expect(delta("sluice_rule_hits_total", { rule: "writes" })).toBe(8);
    expect(delta("sluice_statements_total", { pool: "replicas" })).toBe(40);

    const digests = await serve.admin("SHOW DIGESTS");
    const count = (sql: string) => digests.find((d) => d.digest === classify(sql).digest)?.count;
    expect(count("SELECT v FROM workers_rows WHERE id = 1")).toBe("40");
    expect(count("INSERT INTO workers_rows (v) VALUES (1)")).toBe("8");
  });

  it("finds a session's worker for KILL SESSION", async () => {
    const conns = await clients(4);
    const sessions = await serve.admin("SHOW SESSIONS");
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    const byWorker = new Set(sessions.map((s) => ((Number(s.id) - 1) % 2) + 1));
    expect(byWorker.size).toBe(2); // ids interleave: odd on worker 1, even on worker 2
    const victim = sessions.find((s) => Number(s.id) % 2 === 0);
    expect(victim).toBeDefined();
    await serve.admin(`KILL SESSION ${victim?.id}`);
    await waitFor("the killed session gone", async () =>
      (await serve.admin("SHOW SESSIONS")).every((s) => s.id !== victim?.id),
    );
    const alive = await Promise.all(
      conns.map((conn) =>
        conn.query("SELECT 1").then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(alive.filter((ok) => !ok)).toHaveLength(1);
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  });

  it("reloads all workers or none: a bad policy leaves both on the old version, a good one moves both", async () => {
    const versions = async () => (await serve.admin("SHOW WORKERS")).map((w) => w.policy_version);
    const first = (await serve.admin("SHOW POLICY"))[0]?.version;
    expect(await versions()).toEqual([first, first]);
    // clients on both workers keep running statements through every reload
    const conns = await clients(4);
    let stop = false;
    let statements = 0;
    const errors: string[] = [];
    const load = conns.map(async (c, i) => {
      while (!stop) {
        await c
          .query(
            i % 2 === 0
              ? "SELECT v FROM workers_rows WHERE id = 2"
              : "INSERT INTO workers_rows (v) VALUES (5)",
          )
          .then(
            () => statements++,
            (e: Error) => errors.push(e.message),
          );
      }
    });

    writeFileSync(
      policyPath,
      "version 1\npool primary {\n  role = primary\n}\nrule broken when kindd = select -> route nowhere\n",
    );
    await expect(serve.admin("RELOAD")).rejects.toMatchObject({ stderr: expect.stringMatching(/SLU\d+/) });
    expect(await versions()).toEqual([first, first]);

    writeFileSync(policyPath, "version 1\npool primary {\n  role = primary\n}\ndefault -> route primary\n");
    await serve.admin("RELOAD");
    const second = (await serve.admin("SHOW POLICY"))[0]?.version;
    expect(second).not.toBe(first);
    expect(await versions()).toEqual([second, second]);

    const metrics = await serve.metrics();
    expect(metricSum(metrics, "sluice_reloads_total", { result: "ok" })).toBe(1);
    expect(metricSum(metrics, "sluice_reloads_total", { result: "failed" })).toBe(1);
    expect(metrics.get("sluice_policy_info")?.samples.map((s) => s.labels.version)).toEqual([second]);

    copyFileSync("policies/default.policy", policyPath);
    serve.child.kill("SIGHUP");
    await waitFor("both workers back on the default policy", async () => {
      const v = await versions();
      return v[0] === first && v[1] === first;
    });
    stop = true;
    await Promise.all(load);
    await Promise.all(conns.map((c) => c.end()));
    expect(errors).toEqual([]);
    expect(statements).toBeGreaterThan(20);
  });

  it("restarts a worker killed with -9; clients of the other worker keep working", async () => {
    await waitFor("the clients of earlier tests gone", async () =>
      (await serve.admin("SHOW WORKERS")).every((w) => w.clients === "0"),
    );
    const conns = await clients(6);
    const before = await serve.admin("SHOW WORKERS");
    const victim = before[0];
    const survivorClients = Number(before[1]?.clients);
    expect(Number(victim?.clients)).toBeGreaterThan(0);
    expect(survivorClients).toBeGreaterThan(0);
    process.kill(Number(victim?.pid), "SIGKILL");
    await sleep(300);

    const ok = await Promise.all(
      conns.map((c) =>
        c.query("SELECT v FROM workers_rows WHERE id = 1").then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(ok.filter(Boolean)).toHaveLength(survivorClients);
    expect(ok.filter((x) => !x)).toHaveLength(Number(victim?.clients));

    await waitFor("worker 1 restarted", async () => {
      const w = (await serve.admin("SHOW WORKERS"))[0];
      return w?.state === "serving" && w.pid !== victim?.pid && w.restarts === "1";
    });
    expect(serve.output()).toMatch(/worker died/);
    const more = await clients(4);
    await Promise.all([...conns, ...more].map((c) => c.end().catch(() => undefined)));
    const metrics = await serve.metrics();
    expect(metricSum(metrics, "sluice_worker_restarts_total", { worker: "1" })).toBe(1);
  });

  it("on SIGTERM stops accepting, lets an open transaction on a worker commit, then exits 0", async () => {
    const conn = await serve.client();
    await conn.query("CREATE TABLE IF NOT EXISTS workers_sigterm (id INT PRIMARY KEY)");
    await conn.query("DELETE FROM workers_sigterm");
    await conn.query("BEGIN");
    await conn.query("INSERT INTO workers_sigterm VALUES (1)");

    serve.child.kill("SIGTERM");
    await sleep(700);
    await expect(serve.client()).rejects.toBeDefined(); // no new clients while draining
    await conn.query("INSERT INTO workers_sigterm VALUES (2)");
    await conn.query("COMMIT");
    await conn.end().catch(() => undefined);

    expect(await serve.exited).toBe(0);
    const direct = await cluster.connect(cluster.primary);
    const [rows] = await direct.query("SELECT id FROM workers_sigterm ORDER BY id");
    await direct.end();
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
