/**
 * A real `sluice serve` child process in front of the test cluster (the demo config, failover
 * off), with the clients tests talk to it through: mysql2 to the proxy, the `mariadb` CLI to the
 * admin listener, fetch to /metrics.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { parsePrometheusText } from "../support/prometheus-text-parser.js";

const run = promisify(execFile);

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly ports: { readonly proxy: number; readonly admin: number; readonly http: number };
  /** resolves with the exit code (null when killed by a signal) */
  readonly exited: Promise<number | null>;
  /** what the process printed (its pino log lines) */
  output(): string;
  client(): Promise<mysql.Connection>;
  /** rows of an admin statement, as objects by column name (throws on an admin error) */
  admin(sql: string): Promise<Record<string, string>[]>;
  metrics(): Promise<ReturnType<typeof parsePrometheusText>>;
  kill(): void;
}

export async function startServe(
  cluster: ClusterControl,
  dir: string,
  options: {
    readonly policyPath: string;
    readonly args: readonly string[];
    /** edits the config's YAML before it is written (e.g. its logging section) */
    readonly config?: (yaml: string) => string;
  },
): Promise<ServeProcess> {
  const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
  const ports = { proxy, admin, http };
  const config = join(dir, "sluice.yaml");
  const yaml = demoConfigYaml(cluster.info, ports, options.policyPath)
    .replace("failover: auto", "failover: off")
    .replace("level: warn", "level: info");
  writeFileSync(config, options.config?.(yaml) ?? yaml);
  const env = { ...process.env };
  for (const [name, value] of Object.entries(DEMO_SECRETS)) env[name] = value(cluster.info);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", "--config", config, ...options.args],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let printed = "";
  child.stdout?.on("data", (c: Buffer) => {
    printed = (printed + c.toString()).slice(-200_000);
  });
  child.stderr?.on("data", (c: Buffer) => {
    printed = (printed + c.toString()).slice(-200_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const client = () =>
    mysql.createConnection({
      host: "127.0.0.1",
      port: proxy,
      user: cluster.info.users.app.user,
      password: cluster.info.users.app.password,
      database: cluster.info.database,
    });
  const handle: ServeProcess = {
    child,
    ports,
    exited,
    output: () => printed,
    client,
    admin: async (sql) => {
      const { stdout } = await run("mariadb", [
        "-h127.0.0.1",
        `-P${admin}`,
        "-uadmin",
        "-padmin-secret",
        "--batch",
        "--raw",
        "-e",
        sql,
      ]);
      const [header, ...lines] = stdout.trimEnd().split("\n");
      if (header === undefined || header === "") return [];
      const columns = header.split("\t");
      return lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [columns[i] ?? `${i}`, v])));
    },
    metrics: async () => parsePrometheusText(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text()),
    kill: () => child.kill("SIGKILL"),
  };
  // up = the admin interface answers and a client gets through the proxy
  for (let i = 0; ; i++) {
    const conn = await client().catch(() => undefined);
    if (conn !== undefined) {
      await conn.end();
      const ok = await handle.admin("SHOW SERVERS").then(
        () => true,
        () => false,
      );
      if (ok) return handle;
    }
    if (i > 150) {
      child.kill("SIGKILL");
      throw new Error(`sluice serve did not come up:\n${printed.slice(-4000)}`);
    }
    await sleep(200);
  }
}

/** Sum of a metric's samples whose labels include `labels`. */
export function metricSum(
  families: Awaited<ReturnType<ServeProcess["metrics"]>>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.get(name);
  if (family === undefined) return 0;
  return family.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Polls `check` every 200 ms until it returns true (or throws after `timeoutMs`). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
