import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { useCluster } from "../support/cluster.js";
import { type AdminRow, adminRows, eventually } from "./admin-cli.js";
import { loggingWith, type Served, serveInDir } from "./serve-support.js";

/** Digest figures and the query log of `serve`, checked against a known workload. */
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-query-analysis-"));
const logFile = join(dir, "query.log");
const app = cluster.info.users.app.user;
let served: Served;

/** query_log keys for a file in this test's folder */
const toFile = (keys: string) => loggingWith(`${keys}\n    destination: ${JSON.stringify(logFile)}`);

beforeAll(async () => {
  served = await serveInDir(cluster, dir, toFile("    enabled: false"));
  const db = cluster.info.database;
  const rows = [
    ...[1, 2, 3].map((id) => `(${id}, 100, 0)`),
    ...[4, 5, 6].map((id) => `(${id}, 200, 0)`),
    ...Array.from({ length: 20 }, (_, i) => `(${11 + i}, ${1 + Math.floor(i / 2)}, 0)`),
  ];
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${db}.digest_rows (id INT PRIMARY KEY, grp INT, v INT)`,
    `DELETE FROM ${db}.digest_rows`,
    `INSERT INTO ${db}.digest_rows VALUES ${rows.join(", ")}`,
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await served?.runtime.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("SHOW DIGESTS", () => {
  it("counts statements, rows sent, affected rows and errors of a known workload", async () => {
    const t0 = Date.now();
    const conn = await served.client();
    for (let i = 0; i < 50; i++)
      await conn.query(`SELECT id FROM digest_rows WHERE grp = ${i % 2 === 0 ? 100 : 200}`);
    for (let g = 1; g <= 10; g++) await conn.query(`UPDATE digest_rows SET v = v + 1 WHERE grp = ${g}`);
    for (let i = 0; i < 5; i++)
      await expect(conn.query(`SELECT nosuch FROM digest_rows WHERE grp = ${i}`)).rejects.toMatchObject({
        errno: 1054,
      });
    for (let i = 0; i < 10; i++) await conn.execute("SELECT id, grp FROM digest_rows WHERE grp = ?", [100]);
    await conn.end();
    const t1 = Date.now();

    const digests = await adminRows(served.ports.admin, "SHOW DIGESTS");
    const row = (sql: string) => digests.find((r) => r.digest === classify(sql).digest);
    const figures = (r: AdminRow | undefined) => ({
      count: r?.count,
      rows: r?.rows,
      errors: r?.errors,
      pools: r?.pools,
    });
    expect(figures(row("SELECT id FROM digest_rows WHERE grp = 1"))).toEqual({
      count: "50",
      rows: "150",
      errors: "0",
      pools: "replicas",
    });
    expect(figures(row("UPDATE digest_rows SET v = v + 1 WHERE grp = 1"))).toEqual({
      count: "10",
      rows: "20",
      errors: "0",
      pools: "primary",
    });
    expect(figures(row("SELECT nosuch FROM digest_rows WHERE grp = 1"))).toEqual({
      count: "5",
      rows: "0",
      errors: "5",
      pools: "replicas",
    });
    // the binary protocol (COM_STMT_EXECUTE) is counted the same way
    expect(figures(row("SELECT id, grp FROM digest_rows WHERE grp = ?"))).toEqual({
      count: "10",
      rows: "30",
      errors: "0",
      pools: "replicas",
    });
    for (const r of digests.filter((d) => Number(d.count) > 1)) {
      const [min, avg, max, p99, total] = [r.min_ms, r.avg_ms, r.max_ms, r.p99_ms, r.total_ms].map(Number);
      expect(min).toBeLessThanOrEqual(avg!);
      expect(avg).toBeLessThanOrEqual(max!);
      expect(p99).toBeLessThanOrEqual(max!);
      expect(total).toBeGreaterThanOrEqual(max!);
      const [first, last] = [Date.parse(r.first_seen ?? ""), Date.parse(r.last_seen ?? "")];
      expect(t0).toBeLessThanOrEqual(first);
      expect(first).toBeLessThanOrEqual(last);
      expect(last).toBeLessThanOrEqual(t1);
    }
  });
});

type LogLine = Record<string, unknown>;

function logLines(): LogLine[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as LogLine);
}

/**
 * Runs `work` on a fresh session under the given query_log keys and returns that session's log
 * lines. Afterwards one marker statement is logged in full from another session: lines come out
 * in order, so once it is in the file everything of `work` is too.
 */
async function logged(keys: string, work: (c: mysql.Connection) => Promise<void>): Promise<LogLine[]> {
  await served.relog(toFile(keys));
  const conn = await served.client();
  await work(conn);
  await conn.end();
  await served.relog(toFile("    full: true"));
  const marker = await served.client();
  await marker.query("SELECT 'marker' AS m");
  await eventually("the marker line", async () =>
    logLines().some((l) => l.session === marker.threadId) ? true : undefined,
  );
  await marker.end();
  return logLines().filter((l) => l.session === conn.threadId);
}

const selectEach = (n: number) => async (c: mysql.Connection) => {
  for (let i = 0; i < n; i++) await c.query(`SELECT id FROM digest_rows WHERE grp = ${100 + (i % 2) * 100}`);
};

describe("query log", () => {
  it("logs statements over the slow threshold, redacted, and nothing else when sampling is off", async () => {
    const lines = await logged("    slow_ms: 1000\n    sample_rate: 0", async (c) => {
      await selectEach(5)(c);
      await c.query("SELECT SLEEP(1.1), 'slow-secret'");
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      log: "query",
      level: "warn",
      reason: "slow",
      user: app,
      db: cluster.info.database,
      statement: "SELECT SLEEP(?), ?",
      digest: classify("SELECT SLEEP(1), 'x'").fingerprint,
      pool: "replicas",
      rule: "reads",
      rows: 1,
      errorCode: null,
    });
    expect(lines[0]?.latencyMs).toBeGreaterThanOrEqual(1000);
    expect(JSON.stringify(lines)).not.toContain("slow-secret");
  });

  it("sample_rate 1 logs every statement; with redaction off the text is as sent", async () => {
    const lines = await logged(
      "    slow_ms: off\n    sample_rate: 1\n    redact_literals: false",
      async (c) => {
        await c.query("SELECT id FROM digest_rows WHERE grp = 100");
        await c.query("UPDATE digest_rows SET v = v + 1 WHERE grp = 7");
        await c.query("SELECT nosuch FROM digest_rows WHERE grp = 'visible'").catch(() => undefined);
      },
    );
    expect(lines.map((l) => [l.reason, l.statement, l.rows, l.errorCode, l.pool])).toEqual([
      ["sampled", "SELECT id FROM digest_rows WHERE grp = 100", 3, null, "replicas"],
      ["sampled", "UPDATE digest_rows SET v = v + 1 WHERE grp = 7", 2, null, "primary"],
      ["sampled", "SELECT nosuch FROM digest_rows WHERE grp = 'visible'", 0, 1054, "replicas"],
    ]);
    expect(lines[2]).toMatchObject({ level: "warn", error: expect.stringContaining("nosuch") });
    for (const l of lines) {
      expect(cluster.info.servers.map((s) => s.name)).toContain(l.server);
      expect(typeof l.latencyMs).toBe("number");
    }
  });

  it("samples exactly every second statement at 0.5, and none at 0", async () => {
    expect(await logged("    slow_ms: off\n    sample_rate: 0.5", selectEach(10))).toHaveLength(5);
    expect(await logged("    slow_ms: off\n    sample_rate: 0", selectEach(10))).toEqual([]);
    expect(await logged("    enabled: false\n    full: true", selectEach(3))).toEqual([]);
  });
});

describe("query log on stdout", () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill("SIGKILL"));

  it("`sluice serve` writes query lines to stdout when told to", async () => {
    const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
    const config = join(dir, "stdout.yaml");
    writeFileSync(
      config,
      demoConfigYaml(cluster.info, { proxy, admin, http }, join(process.cwd(), "policies/default.policy"))
        .replace("failover: auto", "failover: off")
        .replace("logging:\n  level: warn\n", loggingWith("    full: true\n    destination: stdout")),
    );
    const env = { ...process.env };
    for (const [name, value] of Object.entries(DEMO_SECRETS)) env[name] = value(cluster.info);
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--config", config], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    const conn = await eventually(
      "sluice serve to accept clients",
      () =>
        mysql
          .createConnection({
            host: "127.0.0.1",
            port: proxy,
            user: app,
            password: cluster.info.users.app.password,
            database: cluster.info.database,
          })
          .catch(() => undefined),
      30_000,
    );
    await conn.query("SELECT 'stdout-secret' AS x");
    const line = await eventually("a query line on stdout", async () =>
      out
        .split("\n")
        .filter((l) => l.includes('"log":"query"'))
        .map((l) => JSON.parse(l) as LogLine)
        .find((l) => l.session === conn.threadId),
    );
    await conn.end();
    expect(line).toMatchObject({ reason: "full", user: app, statement: "SELECT ? AS x", rows: 1 });
    expect(out).not.toContain("stdout-secret");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
