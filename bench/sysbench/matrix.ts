/**
 * The sysbench matrix: every workload × prepared-statement mode × thread count, each cell run in
 * interleaved rounds over the targets (direct, Sluice, [ProxySQL], direct, Sluice, …) so drift on
 * a shared machine shows up as spread between rounds rather than as a bias against one target.
 */
import { loadavg } from "node:os";
import { cpuSecondsOf, memory, round } from "../lib/proc-stats.js";
import { type PsMode, type SysbenchTarget, sysbenchRun, type WorkloadName } from "./sysbench.js";

export interface BenchTarget {
  /** "direct", "sluice", "proxysql" */
  readonly name: string;
  readonly endpoint: SysbenchTarget;
  /** processes whose CPU counts as this target's overhead (none for direct) */
  readonly pids: () => readonly number[];
}

export interface MatrixSpec {
  readonly workloads: readonly WorkloadName[];
  readonly psModes: readonly PsMode[];
  readonly threads: readonly number[];
  readonly rounds: number;
  readonly seconds: number;
}

export interface RunRow {
  readonly workload: WorkloadName;
  readonly psMode: PsMode;
  readonly threads: number;
  readonly round: number;
  readonly target: string;
  readonly queries: number;
  readonly qps: number;
  readonly tps: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly errors: number;
  readonly ignoredErrors: number;
  readonly reconnects: number;
  /** proxy CPU (utime+stime) during the run; null for direct */
  readonly cpuSeconds: number | null;
  /** proxy CPU seconds per 1,000 queries = proxy CPU milliseconds per query */
  readonly cpuSecondsPer1000Queries: number | null;
  readonly rssMiB: number | null;
  /** VmHWM after the run: the process's peak so far (monotonic over the whole matrix); summed over workers */
  readonly peakRssMiB: number | null;
  readonly loadAverage1m: number;
  readonly errorLines: readonly string[];
}

export async function runMatrix(
  spec: MatrixSpec,
  targets: readonly BenchTarget[],
  log: (line: string) => void,
): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  const cells = spec.workloads.length * spec.psModes.length * spec.threads.length;
  let cell = 0;
  for (const workload of spec.workloads)
    for (const psMode of spec.psModes)
      for (const threads of spec.threads) {
        cell++;
        for (let r = 1; r <= spec.rounds; r++)
          for (const target of targets) {
            const row = await runOne(target, { workload, psMode, threads, seconds: spec.seconds }, r);
            rows.push(row);
            log(
              `[${cell}/${cells}] ${workload} ps=${psMode} t=${threads} round ${r} ${target.name.padEnd(8)} ` +
                `qps=${row.qps.toFixed(0)} avg=${row.avgMs}ms p95=${row.p95Ms}ms err=${row.errors}` +
                (row.cpuSecondsPer1000Queries === null ? "" : ` cpu/1k=${row.cpuSecondsPer1000Queries}s`),
            );
          }
      }
  return rows;
}

async function runOne(
  target: BenchTarget,
  spec: { workload: WorkloadName; psMode: PsMode; threads: number; seconds: number },
  roundNo: number,
): Promise<RunRow> {
  const pids = target.pids();
  const cpuBefore = pids.length > 0 ? cpuSecondsOf(pids) : null;
  const r = await sysbenchRun(target.endpoint, spec);
  const cpu = cpuBefore === null ? null : cpuSecondsOf(pids) - cpuBefore;
  const mem = treeMemory(target.pids());
  return {
    ...spec,
    round: roundNo,
    target: target.name,
    queries: r.queries,
    qps: r.qps,
    tps: r.tps,
    avgMs: r.avgMs,
    p50Ms: r.p50Ms,
    p95Ms: r.p95Ms,
    errors: r.errors,
    ignoredErrors: r.ignoredErrors,
    reconnects: r.reconnects,
    cpuSeconds: cpu === null ? null : round(cpu, 2),
    cpuSecondsPer1000Queries: cpu === null || r.queries === 0 ? null : round((cpu / r.queries) * 1000, 4),
    rssMiB: mem?.rssMiB ?? null,
    peakRssMiB: mem?.peakRssMiB ?? null,
    loadAverage1m: round(loadavg()[0] ?? 0, 2),
    errorLines: r.errorLines,
  };
}

/**
 * Memory of a proxy's processes (a multi-worker Sluice: the primary and its workers) added up.
 * The summed peaks are an upper bound: the processes need not have peaked at the same moment.
 */
function treeMemory(pids: readonly number[]): { rssMiB: number; peakRssMiB: number } | null {
  const each = pids.flatMap((pid) => {
    try {
      return [memory(pid)];
    } catch {
      return []; // exited meanwhile
    }
  });
  if (each.length === 0) return null;
  return {
    rssMiB: round(
      each.reduce((n, m) => n + m.rssMiB, 0),
      1,
    ),
    peakRssMiB: round(
      each.reduce((n, m) => n + m.peakRssMiB, 0),
      1,
    ),
  };
}

/** One line per (workload, psMode, threads, target): medians over rounds. */
export interface CellSummary {
  readonly workload: WorkloadName;
  readonly psMode: PsMode;
  readonly threads: number;
  readonly target: string;
  readonly rounds: number;
  readonly qps: number;
  /** lowest and highest QPS of the rounds: the spread drift caused */
  readonly qpsRange: readonly [number, number];
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly errors: number;
  readonly cpuMsPerQuery: number | null;
  readonly peakRssMiB: number | null;
  /** this target's median QPS over direct's in the same cell */
  readonly qpsVsDirect: number | null;
  /** median p50 added over direct in the same cell, ms */
  readonly p50AddedMs: number | null;
}

export function summarise(rows: readonly RunRow[]): CellSummary[] {
  const groups = new Map<string, RunRow[]>();
  for (const row of rows) {
    const key = `${row.workload}|${row.psMode}|${row.threads}|${row.target}`;
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  const out: CellSummary[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const qpsList = list.map((r) => r.qps);
    const cpu = list.map((r) => r.cpuSecondsPer1000Queries).filter((x): x is number => x !== null);
    const peak = list.map((r) => r.peakRssMiB).filter((x): x is number => x !== null);
    out.push({
      workload: first.workload,
      psMode: first.psMode,
      threads: first.threads,
      target: first.target,
      rounds: list.length,
      qps: round(median(qpsList), 1),
      qpsRange: [Math.min(...qpsList), Math.max(...qpsList)],
      avgMs: round(median(list.map((r) => r.avgMs)), 2),
      p50Ms: round(median(list.map((r) => r.p50Ms)), 2),
      p95Ms: round(median(list.map((r) => r.p95Ms)), 2),
      errors: list.reduce((a, r) => a + r.errors, 0),
      cpuMsPerQuery: cpu.length === 0 ? null : round(median(cpu), 4),
      peakRssMiB: peak.length === 0 ? null : Math.max(...peak),
      qpsVsDirect: null,
      p50AddedMs: null,
    });
  }
  return out.map((s) => {
    const direct = out.find(
      (d) =>
        d.target === "direct" &&
        d.workload === s.workload &&
        d.psMode === s.psMode &&
        d.threads === s.threads,
    );
    if (direct === undefined || s.target === "direct") return s;
    return {
      ...s,
      qpsVsDirect: direct.qps === 0 ? null : round(s.qps / direct.qps, 3),
      p50AddedMs: round(s.p50Ms - direct.p50Ms, 3),
    };
  });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
