/**
 * sysbench oltp_read_write directly against a MariaDB primary and through Sluice, side by side:
 * QPS, p95 latency, and Sluice's CPU seconds per 1,000 queries (utime+stime of the Sluice process
 * from /proc/<pid>/stat, before and after the run).
 *
 *   npx tsx bench/proxy-sysbench.ts            # 30 s per run, 16 threads
 *   BENCH_SECONDS=10 BENCH_THREADS=8 npx tsx bench/proxy-sysbench.ts
 *
 * Starts its own one-server cluster (src/cluster) and writes bench/results/<date>-proxy-sysbench.json.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalCluster } from "../src/cluster/local-cluster.js";
import type { ProxyOptions } from "../src/runtime/proxy-options.js";
import {
  SYSBENCH_TABLE_SIZE,
  SYSBENCH_TABLES,
  type SysbenchResult,
  type SysbenchTarget,
  sysbenchPrepare,
  sysbenchRun,
} from "./proxy-sysbench-support.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const threads = Number(process.env.BENCH_THREADS ?? 16);

function cpuSeconds(pid: number): number {
  // fields after the ")" of the command name: state is field 3, utime 14, stime 15 (1-based)
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

async function startSluiceProcess(
  options: ProxyOptions,
): Promise<{ pid: number; port: number; stop: () => Promise<string> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "proxy-sysbench-server.ts"), JSON.stringify(options)],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SLUICE_LOG_LEVEL: "warn" },
    },
  );
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`Sluice exited with ${code} before listening`)));
  });
  return {
    pid: child.pid!,
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve(/COUNTERS (.*)/.exec(out)?.[1] ?? "{}"));
        child.kill("SIGTERM");
      }),
  };
}

function summary(r: SysbenchResult) {
  return {
    queries: r.queries,
    qps: r.qps,
    tps: r.tps,
    p95Ms: r.p95Ms,
    avgMs: r.avgMs,
    errors: r.errors,
    ignoredErrors: r.ignoredErrors,
    errorLines: r.errorLines.slice(0, 10),
  };
}

const cluster = await startLocalCluster({
  replicas: 0,
  log: (l) => process.stderr.write(`[cluster] ${l}\n`),
});
try {
  const primary = cluster.control.primary;
  const { app } = cluster.info.users;
  const direct: SysbenchTarget = {
    host: primary.host,
    port: primary.port,
    user: app.user,
    password: app.password,
    database: cluster.info.database,
  };
  process.stderr.write("preparing sysbench tables on the primary\n");
  await sysbenchPrepare(direct);
  process.stderr.write(`direct run: ${threads} threads, ${seconds} s\n`);
  const directResult = await sysbenchRun(direct, threads, seconds);

  const sluice = await startSluiceProcess({
    listen: { host: "127.0.0.1", port: 0 },
    servers: [{ name: "primary", host: primary.host, port: primary.port, role: "primary" }],
    users: [{ name: app.user, password: app.password }],
    pool: { minIdle: 4, maxIdle: 32 },
  });
  const cpuBefore = cpuSeconds(sluice.pid);
  process.stderr.write(`through Sluice: ${threads} threads, ${seconds} s\n`);
  const proxied = await sysbenchRun({ ...direct, host: "127.0.0.1", port: sluice.port }, threads, seconds);
  const cpuUsed = cpuSeconds(sluice.pid) - cpuBefore;
  const counters = JSON.parse(await sluice.stop()) as unknown;

  const result = {
    bench: "proxy-sysbench",
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
    server: cluster.info.version,
    workload: {
      test: "oltp_read_write",
      threads,
      seconds,
      tables: SYSBENCH_TABLES,
      tableSize: SYSBENCH_TABLE_SIZE,
    },
    direct: summary(directResult),
    sluice: summary(proxied),
    sluiceCpuSeconds: Number(cpuUsed.toFixed(3)),
    sluiceCpuSecondsPer1000Queries: Number(((cpuUsed / proxied.queries) * 1000).toFixed(4)),
    qpsRatio: Number((proxied.qps / directResult.qps).toFixed(3)),
    p95AddedMs: Number((proxied.p95Ms - directResult.p95Ms).toFixed(2)),
    sluiceCounters: counters,
    note: "Sluice, MariaDB and sysbench share the same machine's cores; the ratio is a lower bound for a dedicated proxy host.",
  };
  const file = join(here, "results", `${new Date().toISOString().slice(0, 10)}-proxy-sysbench.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ direct: result.direct, sluice: result.sluice, cpuPer1000: result.sluiceCpuSecondsPer1000Queries }, null, 2)}\nwritten ${file}\n`,
  );
} finally {
  await cluster.stop();
}
