/**
 * `npm run bench`: Sluice measured side by side with direct MariaDB (and ProxySQL when
 * PROXYSQL_BIN is set) on this machine. Parts: micro-benchmarks, the sysbench matrix in
 * interleaved rounds, connection scale, and a CPU profile of Sluice under sysbench. Writes
 * bench/results/<date>-<name>.json, .md (summary) and .svg (QPS against threads).
 * `npm run bench -- --help` lists the options; `--quick` is a smoke run of a couple of minutes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalCluster, startLocalCluster } from "../src/cluster/local-cluster.js";
import { type ConnScaleResult, runConnScale } from "./conn-scale/conn-scale.js";
import { type BenchOptions, parseOptions, USAGE } from "./lib/options.js";
import { processTree, round } from "./lib/proc-stats.js";
import { machine, say, sourceVersion, writeResult } from "./lib/results.js";
import { type MicroOutcome, runMicroBenches } from "./micro.js";
import { type ProfileResult, profileSluice } from "./profile/profile-sluice.js";
import { renderMarkdown } from "./report/markdown.js";
import { renderPlot } from "./report/plot.js";
import { type BenchTarget, type CellSummary, type RunRow, runMatrix, summarise } from "./sysbench/matrix.js";
import { type SysbenchTarget, sysbenchPrepare, sysbenchRun } from "./sysbench/sysbench.js";
import { type ProxysqlProcess, startProxysql } from "./targets/proxysql.js";
import { type SluiceProcess, startSluice } from "./targets/sluice-process.js";

export interface BenchReport {
  readonly bench: "sluice-vs-direct";
  readonly date: string;
  readonly label: string;
  readonly options: BenchOptions;
  readonly machine: ReturnType<typeof machine>;
  /** git commit of the code measured, and files under src/ changed since it */
  readonly source?: ReturnType<typeof sourceVersion>;
  loadAverageAfter: number[];
  server: string;
  /** how each proxy target was started */
  targets: Record<string, string>;
  /** what was asked for but could not be measured, and why */
  notMeasured: string[];
  /** parts that failed (their error); the rest of the report stands */
  failures: string[];
  micro: MicroOutcome[];
  sysbench: { cells: CellSummary[]; runs: RunRow[] } | null;
  connScale: ConnScaleResult[];
  profiles: ProfileResult[];
  wallSeconds: number;
}

const argv = process.argv.slice(2);
if (argv.includes("--help")) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const options = parseOptions(argv);
const started = Date.now();
const report: BenchReport = {
  bench: "sluice-vs-direct",
  date: new Date().toISOString(),
  label: options.label,
  options,
  machine: machine(),
  source: sourceVersion(),
  loadAverageAfter: [],
  server: "",
  targets: {},
  notMeasured: [],
  failures: [],
  micro: [],
  sysbench: null,
  connScale: [],
  profiles: [],
  wallSeconds: 0,
};
const workDir = mkdtempSync(join(tmpdir(), "sluice-bench-"));

if (options.parts.includes("micro")) report.micro = await runMicroBenches(options.quick, say);

const needsCluster = options.parts.some((p) => p !== "micro");
let cluster: LocalCluster | undefined;
try {
  if (needsCluster) {
    say("starting the local cluster (primary + 2 replicas)");
    cluster = await startLocalCluster({ replicas: 2, log: (l) => say(`[cluster] ${l}`) });
    report.server = cluster.info.version;
    say("preparing sysbench tables on the primary");
    await sysbenchPrepare(direct(cluster));
    await cluster.control.waitForReplication(120_000);
  }
  // a part that fails is recorded and the others still run: partial results beat none
  const part = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (e) {
      say(`${name} failed: ${(e as Error).stack ?? String(e)}`);
      report.failures.push(`${name}: ${(e as Error).message}`);
    }
  };
  const c = cluster;
  if (c !== undefined && options.parts.includes("sysbench"))
    await part("sysbench", async () => {
      report.sysbench = await sysbenchPart(c);
    });
  if (c !== undefined && options.parts.includes("conn"))
    await part("conn", async () => {
      report.connScale = await connPart(c);
    });
  if (c !== undefined && options.parts.includes("profile"))
    await part("profile", async () => {
      report.profiles = await profilePart(c);
    });
} catch (e) {
  report.failures.push(`setup: ${(e as Error).message}`);
  say(`bench setup failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  await cluster?.stop();
  rmSync(workDir, { recursive: true, force: true });
}

report.loadAverageAfter = loadavg().map((l) => round(l, 2));
report.wallSeconds = Math.round((Date.now() - started) / 1000);
const json = writeResult(options.name, "json", report);
const md = writeResult(options.name, "md", renderMarkdown(report));
if (report.sysbench !== null)
  say(`wrote ${writeResult(options.name, "svg", renderPlot(report.sysbench.cells, options))}`);
say(`wrote ${json}\nwrote ${md}`);
if (report.failures.length > 0) process.exitCode = 1;

function direct(c: LocalCluster): SysbenchTarget {
  const { app } = c.info.users;
  const p = c.control.primary;
  return { host: p.host, port: p.port, user: app.user, password: app.password, database: c.info.database };
}

async function sysbenchPart(c: LocalCluster): Promise<{ cells: CellSummary[]; runs: RunRow[] }> {
  const targets: BenchTarget[] = [{ name: "direct", endpoint: direct(c), pids: () => [] }];
  const sluices: SluiceProcess[] = [];
  let proxysql: ProxysqlProcess | undefined;
  try {
    for (const runtime of options.runtimes)
      for (const workers of options.workers) {
        const s = await startSluice(c.info, {
          mode: options.sluiceMode,
          runtime,
          multiplex: options.multiplex,
          workers,
          workDir,
        });
        if (workers > 1) {
          // `sluice serve --workers N` is a primary and N workers; the port answers once the first
          // worker listens, so give the others a moment (the warm-up run follows anyway). A
          // Sluice started another way (embedded, SLUICE_BENCH_COMMAND) may run one process only.
          await new Promise((r) => setTimeout(r, 2000));
          const processes = processTree(s.pid).length;
          if (processes < workers) {
            await s.stop();
            report.notMeasured.push(
              `Sluice with ${workers} workers: '${s.how}' runs ${processes} process(es), fewer than the workers asked for (only \`sluice serve\` has workers)`,
            );
            continue;
          }
        }
        const name = `sluice${runtime === "tsx" ? "-tsx" : ""}${workers === 1 ? "" : `-${workers}w`}`;
        report.targets[name] = `${s.how}: ${s.command}`;
        sluices.push(s);
        targets.push({
          name,
          endpoint: { ...direct(c), host: "127.0.0.1", port: s.port },
          pids: () => processTree(s.pid),
        });
      }
    const bin = process.env.PROXYSQL_BIN;
    if (bin !== undefined && bin !== "") {
      proxysql = await startProxysql(bin, c.info, workDir);
      const p = proxysql;
      report.targets.proxysql = `${bin} (mysql-threads=${p.threads}; unverified setup, see bench/targets/proxysql.ts)`;
      targets.push({
        name: "proxysql",
        endpoint: { ...direct(c), host: "127.0.0.1", port: p.port },
        pids: () => processTree(p.pid), // ProxySQL may run its worker under an angel process
      });
    } else {
      report.notMeasured.push("ProxySQL: PROXYSQL_BIN not set (ProxySQL is not installed on this machine)");
    }
    for (const t of targets.slice(1)) {
      say(`warming up ${t.name}`);
      await sysbenchRun(t.endpoint, { workload: "point_select", psMode: "disable", threads: 8, seconds: 3 });
    }
    const runs = await runMatrix(
      {
        workloads: options.workloads,
        psModes: options.psModes,
        threads: options.threads,
        rounds: options.rounds,
        seconds: options.seconds,
      },
      targets,
      say,
    );
    return { cells: summarise(runs), runs };
  } finally {
    for (const s of sluices) await s.stop();
    await proxysql?.stop();
  }
}

async function connPart(c: LocalCluster): Promise<ConnScaleResult[]> {
  const spec = {
    count: options.connCount,
    seconds: options.connSeconds,
    inflight: options.connInflight,
    writePercent: options.connWritePercent,
    maxPerServer: options.connMaxPerServer,
  };
  const out: ConnScaleResult[] = [];
  say(`conn-scale: ${spec.count} clients through Sluice as configured`);
  const first = await runConnScale(
    c,
    "as-shipped",
    { mode: options.sluiceMode, runtime: options.runtimes[0], multiplex: true, workers: 1, workDir },
    spec,
    say,
  );
  out.push(first);
  if (first.sluice.startsWith("embedded")) {
    say(
      `conn-scale: ${spec.count} clients through Sluice with the bench-only releasing chooser (multiplexing)`,
    );
    out.push(
      await runConnScale(
        c,
        "bench-multiplex",
        { mode: "embedded", workers: 1, workDir, multiplex: true },
        spec,
        say,
      ),
    );
  }
  return out;
}

async function profilePart(c: LocalCluster): Promise<ProfileResult[]> {
  const out: ProfileResult[] = [];
  const launch = {
    mode: options.sluiceMode,
    runtime: options.runtimes[0],
    multiplex: options.multiplex,
    workers: 1,
    workDir,
  };
  for (const spec of [
    { workload: "point_select", psMode: "disable", threads: 8 },
    { workload: "read_write", psMode: "auto", threads: 8 },
  ] as const) {
    say(`profiling Sluice: ${spec.workload} ps=${spec.psMode} t=${spec.threads}`);
    out.push(await profileSluice(c, launch, { ...spec, seconds: options.profileSeconds }, options.name));
  }
  return out;
}
