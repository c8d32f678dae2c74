import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { type LocalCluster, startLocalCluster } from "../../src/cluster/local-cluster.js";
import { type ServeProcess, startServe, waitFor } from "./serve-process.js";

/**
 * Issue 16: after a failover nothing stays pinned to the start-up topology. `sluice serve` runs
 * as its own process (failover auto, one instance, the default `cooperative`) in front of this
 * file's own cluster — servers are killed and kept dead here, which the shared cluster of the
 * other files must never see. Time is measured from the kill -9 to the first write that went
 * through a login opened after the kill.
 */
const run = promisify(execFile);
const TABLE = "sluice_new_logins";
let own: LocalCluster;
let cluster: ClusterControl;
let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "sluice-new-logins-"));
let nextId = 1;

function login(connectTimeout = 5_000): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: "127.0.0.1",
    port: serve.ports.proxy,
    user: cluster.info.users.app.user,
    password: cluster.info.users.app.password,
    database: cluster.info.database,
    connectTimeout,
  });
}

/** A new mysql2 login that inserts one row; throws what the client saw. */
async function writeThroughNewLogin(connectTimeout?: number): Promise<number> {
  const conn = await login(connectTimeout);
  try {
    const id = nextId++;
    await conn.query(`INSERT INTO ${TABLE} (id, via) VALUES (?, 'mysql2')`, [id]);
    return id;
  } finally {
    conn.destroy();
  }
}

/** The same through the `mariadb` CLI (libmariadb): its exit status and what it printed. */
async function writeThroughCli(connectTimeoutSeconds = 5): Promise<{ ok: boolean; output: string }> {
  const id = nextId++;
  return run("mariadb", [
    "-h127.0.0.1",
    `-P${serve.ports.proxy}`,
    `-u${cluster.info.users.app.user}`,
    `-p${cluster.info.users.app.password}`,
    `-D${cluster.info.database}`,
    `--connect-timeout=${connectTimeoutSeconds}`,
    "-e",
    `INSERT INTO ${TABLE} (id, via) VALUES (${id}, 'cli')`,
  ]).then(
    (r) => ({ ok: true, output: r.stdout + r.stderr }),
    (e: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${e.stdout ?? ""}${e.stderr ?? ""}`,
    }),
  );
}

async function serverRows(): Promise<Record<string, string>[]> {
  return serve.admin("SHOW SERVERS");
}

async function primaryName(): Promise<string | undefined> {
  return (await serverRows()).find((r) => r.role === "primary" && r.state === "up")?.name;
}

async function ready(): Promise<number> {
  return (await fetch(`http://127.0.0.1:${serve.ports.http}/readyz`)).status;
}

/** Tries a new-login write every 100 ms from `since`; returns ms from `since` to the first success. */
async function firstNewLoginWrite(since: number, limitMs: number, errors: string[]): Promise<number> {
  for (;;) {
    const ok = await writeThroughNewLogin().then(
      () => true,
      (e: { errno?: number; message?: string }) => {
        errors.push(`${e.errno ?? "?"} ${e.message ?? ""}`);
        return false;
      },
    );
    if (ok) return Date.now() - since;
    if (Date.now() - since > limitMs) {
      const rows = await serverRows().catch(() => []);
      const monitorLog = serve
        .output()
        .split("\n")
        .filter((l) => /monitor|failover/.test(l))
        .slice(-15);
      throw new Error(
        `no new-login write within ${limitMs} ms:\n${errors.slice(-3).join("\n")}\n${JSON.stringify(rows, null, 1)}\n${monitorLog.join("\n")}`,
      );
    }
    await sleep(100);
  }
}

/** A fresh cluster and `sluice serve` (with `args`) for one describe block. */
function serveOwnCluster(args: readonly string[]): void {
  beforeAll(async () => {
    own = await startLocalCluster();
    cluster = own.control;
    await cluster.rootQuery(
      cluster.primary,
      `CREATE TABLE ${cluster.info.database}.${TABLE} (id BIGINT PRIMARY KEY, via VARCHAR(16))`,
    );
    await cluster.waitForReplication();
    await cluster.setSemiSync(true);
    serve = await startServe(cluster, mkdtempSync(join(dir, "run-")), {
      policyPath: join(process.cwd(), "policies/default.policy"),
      args,
      // startServe turns failover off for the shared cluster; this one is ours to fail over
      config: (yaml) => yaml.replace("failover: off", "failover: auto"),
    });
    await waitFor(
      "every server up in SHOW SERVERS",
      async () => (await serverRows()).every((r) => r.state === "up"),
      30_000,
    );
  });

  afterAll(async () => {
    serve?.kill();
    await serve?.exited;
    await own?.stop();
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  { mode: "one process", args: [] as string[] },
  // the workers' proxies read the topology the primary process's monitor sends them
  { mode: "--workers 2", args: ["--workers", "2"] },
])("new logins follow the topology (sluice serve $mode, failover auto, one instance)", ({ args }) => {
  serveOwnCluster(args);

  it("primary kill -9, old primary kept dead: new mysql2 and mariadb-CLI logins write within 10 s; COM_CHANGE_USER too", async () => {
    expect(await ready()).toBe(200);
    const longLived = await login();
    const old = cluster.primary;
    await cluster.kill(old);
    const killedAt = Date.now();
    const errors: string[] = [];
    // logins and writes started right after the kill wait out the failover (failover_hold_ms,
    // 10 s by default with failover auto) instead of failing
    const [ms, cliAtOnce] = await Promise.all([
      firstNewLoginWrite(killedAt, 10_000, errors),
      writeThroughCli(),
    ]);
    process.stderr.write(
      `[new-logins ${args.join(" ") || "single"}] kill -9 of ${old.name} → first write through a new login after ${ms} ms (${errors.length} failed attempts)\n`,
    );
    expect(ms).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    expect(cliAtOnce).toMatchObject({ ok: true });
    const cli = await writeThroughCli();
    expect(cli).toMatchObject({ ok: true });
    // COM_CHANGE_USER on a connection opened before the failover lands on the new primary
    await longLived.changeUser({
      user: cluster.info.users.app.user,
      password: cluster.info.users.app.password,
      database: cluster.info.database,
    });
    await longLived.query(`INSERT INTO ${TABLE} (id, via) VALUES (?, 'change-user')`, [nextId++]);
    longLived.destroy();
    const promoted = await primaryName();
    expect(promoted).toBeDefined();
    expect(promoted).not.toBe(old.name);
    expect(await ready()).toBe(200);
    // still dead: nothing of the above needed the old primary back
    expect(cluster.isRunning(old)).toBe(false);
  });

  it("replica dead, then primary dead: the survivor is promoted and new logins write within 15 s", async () => {
    // the old primary comes back and rejoins as a replica: three servers again
    const old = cluster.primary;
    await cluster.start(old);
    await waitFor(
      `${old.name} to rejoin as a replica`,
      async () => (await serverRows()).find((r) => r.name === old.name)?.role === "replica",
      60_000,
    );
    await waitFor("every server up", async () => (await serverRows()).every((r) => r.state === "up"), 30_000);
    const primary = (await primaryName()) ?? "";
    const replica = cluster.info.servers.find((s) => s.name !== primary && s.name !== old.name);
    if (replica === undefined) throw new Error("no third server");
    await writeThroughNewLogin();

    await cluster.kill(replica);
    await waitFor(
      `${replica.name} down in SHOW SERVERS`,
      async () => (await serverRows()).find((r) => r.name === replica.name)?.state === "down",
      15_000,
    );
    // "then": the monitor saw the replica dead while the primary still ran (one more check),
    // which is what proves the replica cannot hold anything the survivor lacks
    await sleep(2_500);
    await cluster.kill(cluster.server(primary));
    const killedAt = Date.now();
    const errors: string[] = [];
    const ms = await firstNewLoginWrite(killedAt, 15_000, errors);
    process.stderr.write(
      `[new-logins ${args.join(" ") || "single"}] ${replica.name} dead, then kill -9 of ${primary} → ${old.name} promoted, first new-login write after ${ms} ms (${errors.length} failed attempts)\n`,
    );
    expect(errors).toEqual([]);
    expect(ms).toBeLessThan(15_000);
    expect(await primaryName()).toBe(old.name);
    expect((await writeThroughCli()).ok).toBe(true);
    expect(await ready()).toBe(200);
  });

  it("with no server left to promote: /readyz says not ready and a login, once the failover hold is over, gets an ERR every client parses", async () => {
    await cluster.kill(cluster.primary);
    await waitFor("/readyz to say not ready", async () => (await ready()) === 503, 15_000);
    // the login waits out failover_hold_ms (10 s) for a server, then gets the ERR
    const [cli, err] = await Promise.all([
      writeThroughCli(30),
      writeThroughNewLogin(30_000).then(
        () => undefined,
        (e: { errno?: number; sqlState?: string }) => e,
      ),
    ]);
    expect(cli.ok).toBe(false);
    expect(cli.output).toMatch(/ERROR 1152 \(08S01\).*Sluice/);
    expect(err).toMatchObject({ errno: 1152, sqlState: "08S01" });
  });
});
