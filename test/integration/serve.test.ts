import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { SluiceRuntime } from "../../src/runtime/sluice-runtime.js";
import { useCluster } from "../support/cluster.js";
import { parsePrometheusText } from "../support/prometheus-text-parser.js";
import { metricSum as sum } from "./serve-process.js";

const run = promisify(execFile);
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-serve-"));
const policyPath = join(dir, "active.policy");
let runtime: SluiceRuntime;
let ports: { proxy: number; admin: number; http: number };

function client() {
  return mysql.createConnection({
    host: "127.0.0.1",
    port: ports.proxy,
    user: cluster.info.users.app.user,
    password: cluster.info.users.app.password,
    database: cluster.info.database,
  });
}

function admin(sql: string) {
  return run("mariadb", [
    "-h127.0.0.1",
    `-P${ports.admin}`,
    "-uadmin",
    "-padmin-secret",
    "--batch",
    "-e",
    sql,
  ]);
}

async function metrics() {
  const response = await fetch(`http://127.0.0.1:${ports.http}/metrics`);
  return parsePrometheusText(await response.text());
}

beforeAll(async () => {
  const [proxy = 0, adminPort = 0, http = 0] = await freePorts(3);
  ports = { proxy, admin: adminPort, http };
  copyFileSync("policies/default.policy", policyPath);
  const configPath = join(dir, "sluice.yaml");
  writeFileSync(
    configPath,
    demoConfigYaml(cluster.info, ports, policyPath).replace("failover: auto", "failover: off"),
  );
  for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] = value(cluster.info);
  const started = await SluiceRuntime.start(configPath, pino({ level: "silent" }));
  if (started.kind === "invalid") throw new Error(started.report);
  runtime = started.runtime;
  const conn = await cluster.connect(cluster.primary);
  await conn.query("CREATE TABLE IF NOT EXISTS served (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  await conn.query("INSERT INTO served (v) VALUES (1), (2), (3)");
  await conn.end();
  await cluster.waitForReplication();
});

afterAll(async () => {
  await runtime?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("sluice serve", () => {
  it("counts a known workload in SHOW DIGESTS, SHOW RULES and /metrics", async () => {
    const before = await metrics();
    const conn = await client();
    for (let i = 0; i < 30; i++) await conn.query("SELECT v FROM served WHERE id = ?", [1 + (i % 3)]);
    for (let i = 0; i < 5; i++) await conn.query("INSERT INTO served (v) VALUES (?)", [i]);
    await conn.end();

    const { stdout } = await admin("SHOW DIGESTS");
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    const header = rows[0]!;
    const find = (digest: string) => rows.find((r) => r[header.indexOf("digest")] === digest);
    const select = find(classify("SELECT v FROM served WHERE id = 1").digest);
    const insert = find(classify("INSERT INTO served (v) VALUES (1)").digest);
    expect(select?.[header.indexOf("count")]).toBe("30");
    expect(insert?.[header.indexOf("count")]).toBe("5");

    const after = await metrics();
    expect(
      sum(after, "sluice_rule_hits_total", { rule: "reads" }) -
        sum(before, "sluice_rule_hits_total", { rule: "reads" }),
    ).toBe(30);
    expect(
      sum(after, "sluice_rule_hits_total", { rule: "writes" }) -
        sum(before, "sluice_rule_hits_total", { rule: "writes" }),
    ).toBe(5);
    expect(
      sum(after, "sluice_statements_total", { pool: "replicas" }) -
        sum(before, "sluice_statements_total", { pool: "replicas" }),
    ).toBe(30);
    expect(sum(after, "sluice_policy_info", { version: runtime.policy.version })).toBe(1);
    expect(sum(after, "sluice_server_state", { server: "primary", state: "up" })).toBe(1);

    const rules = await admin("SHOW RULES");
    expect(rules.stdout).toMatch(/\breads\b\troute\t\d+/);
  });

  it("answers every admin command through the mariadb CLI", async () => {
    for (const sql of [
      "SHOW SERVERS",
      "SHOW POOLS",
      "SHOW SESSIONS",
      "SHOW POLICY",
      "SHOW DIGESTS ORDER BY count DESC LIMIT 2",
    ]) {
      await expect(admin(sql)).resolves.toMatchObject({ stderr: "" });
    }
    expect((await admin("RELOAD")).stderr).toBe("");
    expect((await admin("SET SERVER replica2 MAINTENANCE")).stderr).toBe("");
    expect((await admin("SHOW SERVERS")).stdout).toMatch(/replica2\t[^\n]*maintenance/);
    expect((await admin("SET SERVER replica2 ONLINE")).stderr).toBe("");
    await expect(admin("SWITCHOVER TO replika1")).rejects.toMatchObject({
      stderr: expect.stringContaining("replica1"),
    });
    await expect(admin("KILL SESSION 999999")).rejects.toMatchObject({
      stderr: expect.stringMatching(/ERROR \d+/),
    });
  });

  it("reloads a good policy, keeps the old one when the new one is bad, and loses no statement meanwhile", async () => {
    const conns = await Promise.all([client(), client(), client(), client()]);
    let stop = false;
    let statements = 0;
    const errors: string[] = [];
    const load = conns.map(async (c, i) => {
      while (!stop) {
        try {
          await c.query(
            i % 2 === 0 ? "SELECT v FROM served WHERE id = 1" : "INSERT INTO served (v) VALUES (7)",
          );
          statements++;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    });
    const first = runtime.policy.version;
    writeFileSync(policyPath, "version 1\npool primary {\n  role = primary\n}\ndefault -> route primary\n");
    const good = await runtime.reload();
    expect(good.kind).toBe("ok");
    expect(runtime.policy.version).not.toBe(first);
    const second = runtime.policy.version;

    writeFileSync(
      policyPath,
      "version 1\npool primary {\n  role = primary\n}\nrule broken when kindd = select -> route nowhere\n",
    );
    const bad = await runtime.reload();
    expect(bad.kind).toBe("failed");
    if (bad.kind === "failed") expect(bad.diagnostics.join("\n")).toMatch(/SLU\d+/);
    expect(runtime.policy.version).toBe(second);

    copyFileSync("policies/default.policy", policyPath);
    for (let i = 0; i < 10; i++) expect((await runtime.reload()).kind).toBe("ok");
    stop = true;
    await Promise.all(load);
    await Promise.all(conns.map((c) => c.end()));
    expect(errors).toEqual([]);
    expect(statements).toBeGreaterThan(20);
  });

  it("routes by the reloaded policy from the next statement on", async () => {
    writeFileSync(policyPath, "version 1\npool primary {\n  role = primary\n}\ndefault -> route primary\n");
    expect((await runtime.reload()).kind).toBe("ok");
    const before = await cluster.comCounters(cluster.primary);
    const conn = await client();
    for (let i = 0; i < 5; i++) await conn.query("SELECT v FROM served WHERE id = 2");
    await conn.end();
    const after = await cluster.comCounters(cluster.primary);
    expect((after.Com_select ?? 0) - (before.Com_select ?? 0)).toBe(5);
    copyFileSync("policies/default.policy", policyPath);
    expect((await runtime.reload()).kind).toBe("ok");
  });
});
