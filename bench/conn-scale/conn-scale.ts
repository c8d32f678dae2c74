/**
 * Connection scale: `count` client connections (default 10,000) from a separate process with a
 * light mixed workload, through one Sluice. Measured from outside: the backend connections the
 * servers actually see (Threads_connected on each, sampled every second; they allow 3,000),
 * Sluice's RSS and
 * peak RSS, its open file descriptors, errors by message. Never throws for a failed scale test:
 * failing is a result to report.
 */
import { execFileSync, spawn } from "node:child_process";
import type { LocalCluster } from "../../src/cluster/local-cluster.js";
import { activityBetween, type Counters, readCounters } from "../lib/backend-counters.js";
import { cpuSeconds, memory, openFds, round } from "../lib/proc-stats.js";
import { BENCH_DIR, REPO_DIR } from "../lib/results.js";
import { type SluiceLaunch, startSluice } from "../targets/sluice-process.js";

export interface ConnScaleSpec {
  readonly count: number;
  readonly seconds: number;
  readonly inflight: number;
  /** share of statements that are single-row UPDATEs (the rest are point selects) */
  readonly writePercent: number;
  /** the proxy's per-server backend connection limit for this test */
  readonly maxPerServer: number;
}

export interface ConnScaleResult {
  readonly scenario: string;
  readonly sluice: string;
  readonly spec: ConnScaleSpec;
  readonly client: unknown;
  /** Threads_connected per server before Sluice started (monitoring, replication) */
  readonly threadsConnectedBaseline: Record<string, number>;
  /** highest sum over the servers of Threads_connected above the baseline, sampled every second */
  readonly maxBackendConnections: number;
  /** the same per server (each server's own highest sample) */
  readonly maxBackendConnectionsByServer: Record<string, number>;
  readonly sluiceRssMiB: number;
  readonly sluicePeakRssMiB: number;
  readonly sluiceMaxOpenFds: number;
  readonly sluiceCpuSeconds: number;
  /** Sluice's CPU per 1,000 client statements during the workload (logins excluded) */
  readonly workloadCpuSecondsPer1000Queries: number | null;
  /**
   * statements the servers ran per client statement during the workload (1 = no COM_INIT_DB,
   * COM_RESET_CONNECTION or other round trip of Sluice's own; replicas applying the primary's
   * writes count too), and those counters themselves, summed and Com_select per server
   */
  readonly backendStatementsPerQuery: number | null;
  readonly backendCounters: Partial<Record<string, number>> | null;
  readonly selectsByServer: Record<string, number> | null;
  readonly sluiceCounters: unknown;
  /** the open-file limit Sluice ran with ("soft/hard") */
  readonly fdLimit: string;
  readonly error?: string;
}

export async function runConnScale(
  cluster: LocalCluster,
  scenario: string,
  launch: SluiceLaunch,
  spec: ConnScaleSpec,
  log: (line: string) => void,
): Promise<ConnScaleResult> {
  const servers = cluster.info.servers;
  // every server: reads go to the replicas, writes and pinned sessions to the primary
  const threadsConnected = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const server of servers)
      out[server.name] = Number(
        (await cluster.control.globalStatus(server, "Threads_connected")).Threads_connected ?? 0,
      );
    return out;
  };
  const baseline = await threadsConnected();
  const sluice = await startSluice(cluster.info, { ...launch, maxPerServer: spec.maxPerServer });
  try {
    // Sluice holds a socket per client plus its backends: lift its descriptor limit (we may, as
    // its parent's user; failing that, the inherited limit stands and shows up as errors)
    execFileSync("prlimit", [`--pid=${sluice.pid}`, "--nofile=65536:65536"], { stdio: "ignore" });
  } catch {
    log(`conn-scale: could not raise Sluice's open-file limit (no CAP_SYS_RESOURCE?); it keeps ${fdLimit()}`);
  }
  const cpu0 = cpuSeconds(sluice.pid);
  const maxByServer: Record<string, number> = Object.fromEntries(servers.map((x) => [x.name, 0]));
  let maxTotal = 0;
  let maxFds = 0;
  const sample = async () => {
    try {
      const now = await threadsConnected();
      let total = 0;
      for (const server of servers) {
        const used = (now[server.name] ?? 0) - (baseline[server.name] ?? 0);
        total += used;
        maxByServer[server.name] = Math.max(maxByServer[server.name] ?? 0, used);
      }
      maxTotal = Math.max(maxTotal, total);
      maxFds = Math.max(maxFds, openFds(sluice.pid));
    } catch {
      // a sample lost to a busy server is not a result
    }
  };
  const sampler = setInterval(() => void sample(), 1000);
  let clientResult: unknown = null;
  let error: string | undefined;
  // the workload phase starts when every client has logged in
  let workload: Promise<{ cpu: number; counters: Counters | null }> | undefined;
  try {
    clientResult = await runClients(cluster, sluice.port, spec, log, () => {
      const cpu = cpuSeconds(sluice.pid);
      workload = readCounters(servers).then(
        (counters) => ({ cpu, counters }),
        () => ({ cpu, counters: null }),
      );
    });
  } catch (e) {
    error = (e as Error).message;
  } finally {
    clearInterval(sampler);
  }
  const atEnd = { cpu: cpuSeconds(sluice.pid), counters: await readCounters(servers).catch(() => null) };
  const atStart = await workload;
  const queries = Number((clientResult as { queries?: number } | null)?.queries ?? 0);
  const between =
    atStart?.counters != null && atEnd.counters !== null
      ? activityBetween(atStart.counters, atEnd.counters, servers)
      : null;
  const activity = between?.total ?? null;
  await sample();
  const mem = memory(sluice.pid);
  const cpu = cpuSeconds(sluice.pid) - cpu0;
  const { counters } = await sluice.stop();
  const result: ConnScaleResult = {
    scenario,
    sluice: sluice.how,
    spec,
    client: clientResult,
    threadsConnectedBaseline: baseline,
    maxBackendConnections: maxTotal,
    maxBackendConnectionsByServer: maxByServer,
    sluiceRssMiB: mem.rssMiB,
    sluicePeakRssMiB: mem.peakRssMiB,
    sluiceMaxOpenFds: maxFds,
    sluiceCpuSeconds: round(cpu, 2),
    workloadCpuSecondsPer1000Queries:
      atStart === undefined || queries === 0 ? null : round(((atEnd.cpu - atStart.cpu) / queries) * 1000, 4),
    backendStatementsPerQuery:
      activity === null || queries === 0 ? null : round((activity.Questions ?? 0) / queries, 2),
    backendCounters: activity,
    selectsByServer: between?.selectsByServer ?? null,
    sluiceCounters: counters,
    fdLimit: fdLimit(),
    ...(error === undefined ? {} : { error }),
  };
  log(
    `conn-scale ${scenario}: backends<=${result.maxBackendConnections} ${JSON.stringify(maxByServer)} rss=${mem.rssMiB}MiB peak=${mem.peakRssMiB}MiB cpu/1000q=${result.workloadCpuSecondsPer1000Queries} backend/q=${result.backendStatementsPerQuery} selects=${JSON.stringify(result.selectsByServer)} client=${JSON.stringify(clientResult)}`,
  );
  return result;
}

/** This process's open-file limits (Sluice inherits them), as "soft/hard". */
function fdLimit(): string {
  try {
    return execFileSync("/bin/sh", ["-c", "echo $(ulimit -Sn)/$(ulimit -Hn)"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** Spawns the client process with a raised descriptor limit (a shell `ulimit -n` before exec). */
function runClients(
  cluster: LocalCluster,
  port: number,
  spec: ConnScaleSpec,
  log: (l: string) => void,
  onOpened: () => void,
): Promise<unknown> {
  const { app } = cluster.info.users;
  const args = [
    "--import",
    "tsx",
    `${BENCH_DIR}/conn-scale/clients.ts`,
    "--port",
    String(port),
    "--user",
    app.user,
    "--database",
    cluster.info.database,
    "--count",
    String(spec.count),
    "--seconds",
    String(spec.seconds),
    "--inflight",
    String(spec.inflight),
    "--write-percent",
    String(spec.writePercent),
  ];
  const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const limit = Math.max(1024, spec.count + 1024);
  const child = spawn(
    "/bin/sh",
    ["-c", `ulimit -n ${limit} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${quoted}`],
    {
      cwd: REPO_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, BENCH_PASSWORD: app.password },
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    const opened = /OPENED (.*)/.exec(c.toString());
    if (opened !== null) {
      onOpened();
      log(`conn-scale: ${opened[1]}`);
    }
  });
  child.stderr.on("data", (c: Buffer) => {
    err = (err + c.toString()).slice(-5000);
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), (spec.seconds + 300) * 1000);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      clearTimeout(timeout);
      const m = /RESULT (.*)/.exec(out);
      if (m?.[1] !== undefined) resolve(JSON.parse(m[1]) as unknown);
      else reject(new Error(`client process exited with ${code} without a result: ${err.slice(-1500)}`));
    });
  });
}
