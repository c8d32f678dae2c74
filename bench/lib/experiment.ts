/**
 * What the build-comparison experiments (bench/experiments/what-if.ts, ab.ts) share: the cluster
 * they measure against and one measured sysbench run through a Sluice build.
 */
import { readFileSync } from "node:fs";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ClusterInfo } from "../../src/cluster/types.js";
import { type RunSpec, type SysbenchTarget, sysbenchPrepare, sysbenchRun } from "../sysbench/sysbench.js";
import { startSluice } from "../targets/sluice-process.js";
import { activityBetween, readCounters } from "./backend-counters.js";
import { cpuSeconds, round } from "./proc-stats.js";
import { say } from "./results.js";

export interface ExperimentCluster {
  readonly info: ClusterInfo;
  /** the primary, for direct runs and as the template of a Sluice endpoint */
  readonly direct: SysbenchTarget;
  /** stops the cluster when this process started it; a held one keeps running */
  stop(): Promise<void>;
}

/** A cluster held by bench/lib/hold-cluster.ts (`file`, its ClusterInfo), or a new one with sysbench tables. */
export async function experimentCluster(file: string): Promise<ExperimentCluster> {
  if (file !== "") {
    const info = (JSON.parse(readFileSync(file, "utf8")) as { info: ClusterInfo }).info;
    return { info, direct: directTarget(info), stop: async () => {} };
  }
  const owned = await startLocalCluster({ replicas: 2, log: (l) => say(`[cluster] ${l}`) });
  const direct = directTarget(owned.info);
  await sysbenchPrepare(direct);
  await owned.control.waitForReplication(120_000);
  return { info: owned.info, direct, stop: () => owned.stop() };
}

function directTarget(info: ClusterInfo): SysbenchTarget {
  const primary = info.servers.find((s) => s.role === "primary")!;
  return {
    host: primary.host,
    port: primary.port,
    user: info.users.app.user,
    password: info.users.app.password,
    database: info.database,
  };
}

/** One measured run, as a row of an experiment's results. */
export interface SluiceRun {
  readonly qps: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** sysbench FATAL errors */
  readonly errors: number;
  readonly cpuMsPerQuery: number | null;
  /** write(2)-family calls per client statement (/proc/<pid>/io syscw) */
  readonly writeCallsPerQuery: number | null;
  /** statements the servers ran per client statement (Questions over all servers) */
  readonly backendStatementsPerQuery: number | null;
  readonly selectsByServer: Record<string, number>;
}

/**
 * Starts `sluice serve` from a compiled entry point (a snapshot or what-if build; undefined: the
 * bench's own build) with the default policy, warms it up for 3 s, measures one sysbench run
 * through it, stops it.
 */
export async function measureSluice(
  cluster: ExperimentCluster,
  workDir: string,
  entry: string | undefined,
  spec: RunSpec,
): Promise<SluiceRun> {
  const { info } = cluster;
  const s = await startSluice(info, { mode: "serve", workers: 1, workDir, entry });
  try {
    const endpoint = { ...cluster.direct, host: "127.0.0.1", port: s.port };
    await sysbenchRun(endpoint, { ...spec, seconds: 3 });
    const before = await readCounters(info.servers);
    const c0 = cpuSeconds(s.pid);
    const w0 = writeCalls(s.pid);
    const result = await sysbenchRun(endpoint, spec);
    const cpu = cpuSeconds(s.pid) - c0;
    const writes = writeCalls(s.pid) - w0;
    const act = activityBetween(before, await readCounters(info.servers), info.servers);
    const per = (n: number, digits: number) =>
      result.queries === 0 ? null : round(n / result.queries, digits);
    return {
      qps: result.qps,
      p50Ms: result.p50Ms,
      p95Ms: result.p95Ms,
      errors: result.errors,
      cpuMsPerQuery: per(cpu * 1000, 4),
      writeCallsPerQuery: per(writes, 2),
      backendStatementsPerQuery: per(act.total.Questions ?? 0, 2),
      selectsByServer: act.selectsByServer,
    };
  } finally {
    await s.stop();
  }
}

/** write(2)-family calls of a process so far (/proc/<pid>/io `syscw`). */
function writeCalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  return Number(/syscw:\s*(\d+)/.exec(io)?.[1] ?? 0);
}
