import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { useCluster } from "../support/cluster.js";

const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-sigterm-"));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function connect(port: number) {
  return mysql.createConnection({
    host: "127.0.0.1",
    port,
    user: cluster.info.users.app.user,
    password: cluster.info.users.app.password,
    database: cluster.info.database,
  });
}

describe("sluice serve on SIGTERM", () => {
  it("stops accepting, lets an open transaction commit (SIGHUP and SIGUSR2 meanwhile), then exits 0", async () => {
    const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
    const config = join(dir, "sluice.yaml");
    writeFileSync(
      config,
      demoConfigYaml(
        cluster.info,
        { proxy, admin, http },
        join(process.cwd(), "policies/default.policy"),
      ).replace("failover: auto", "failover: off"),
    );
    const env = { ...process.env };
    for (const [name, value] of Object.entries(DEMO_SECRETS)) env[name] = value(cluster.info);
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--config", config], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    let conn: mysql.Connection | undefined;
    for (let i = 0; i < 100 && conn === undefined; i++) {
      conn = await connect(proxy).catch(async () => {
        await sleep(200);
        return undefined;
      });
    }
    if (conn === undefined) throw new Error("sluice serve did not come up");
    await conn.query("CREATE TABLE IF NOT EXISTS sigterm_rows (id INT PRIMARY KEY)");
    await conn.query("DELETE FROM sigterm_rows");
    await conn.query("BEGIN");
    await conn.query("INSERT INTO sigterm_rows VALUES (1)");

    child.kill("SIGTERM");
    await sleep(500);
    await expect(connect(proxy)).rejects.toBeDefined(); // no new clients while draining
    // a reload or a log rotation arriving during the drain must not end the process
    child.kill("SIGHUP");
    child.kill("SIGUSR2");
    await sleep(200);
    await conn.query("INSERT INTO sigterm_rows VALUES (2)");
    await conn.query("COMMIT");
    await conn.end().catch(() => undefined);

    expect(await exited).toBe(0);
    const direct = await cluster.connect(cluster.primary);
    const [rows] = await direct.query("SELECT id FROM sigterm_rows ORDER BY id");
    await direct.end();
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
