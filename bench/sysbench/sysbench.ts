/**
 * Running Debian's sysbench 1.0 against one endpoint and reading its report. Shared by the
 * sysbench matrix (bench/sysbench/matrix.ts) and the older single-run bench/proxy-sysbench.ts.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SysbenchTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** The four workloads of the issue; `read_only_notrx` is oltp_read_only in autocommit (reads free to move). */
export const WORKLOADS = {
  point_select: { script: "oltp_point_select", extra: [] },
  read_only_notrx: { script: "oltp_read_only", extra: ["--skip_trx=on"] },
  read_only: { script: "oltp_read_only", extra: [] },
  read_write: { script: "oltp_read_write", extra: [] },
} as const satisfies Record<string, { script: string; extra: readonly string[] }>;

export type WorkloadName = keyof typeof WORKLOADS;
export type PsMode = "auto" | "disable";

export function isWorkload(name: string): name is WorkloadName {
  return Object.hasOwn(WORKLOADS, name);
}

/**
 * Table shape: 4 × 100,000 rows keeps `prepare` to seconds while making row-lock deadlocks
 * (which sysbench counts as "ignored errors", proxy or not) rare at 32 threads.
 */
export const SYSBENCH_TABLES = 4;
export const SYSBENCH_TABLE_SIZE = 100_000;

export interface SysbenchResult {
  readonly queries: number;
  readonly qps: number;
  readonly transactions: number;
  readonly tps: number;
  /** FATAL lines: errors that aborted a sysbench thread (or the run) */
  readonly errors: number;
  /** errors sysbench retried (deadlocks, lock waits) */
  readonly ignoredErrors: number;
  readonly reconnects: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly errorLines: string[];
  /** sysbench's whole report (for diagnosis; not copied into result files) */
  readonly output: string;
}

export function sysbenchArgs(script: string, target: SysbenchTarget, extra: readonly string[]): string[] {
  return [
    script,
    "--db-driver=mysql",
    `--mysql-host=${target.host}`,
    `--mysql-port=${target.port}`,
    `--mysql-user=${target.user}`,
    `--mysql-password=${target.password}`,
    `--mysql-db=${target.database}`,
    "--mysql-ssl=off",
    `--tables=${SYSBENCH_TABLES}`,
    `--table-size=${SYSBENCH_TABLE_SIZE}`,
    ...extra,
  ];
}

export async function sysbenchPrepare(target: SysbenchTarget): Promise<void> {
  const args = (cmd: string) => sysbenchArgs("oltp_read_write", target, ["--threads=4", cmd]);
  await run("sysbench", args("cleanup"), { timeout: 120_000 }).catch(() => undefined);
  await run("sysbench", args("prepare"), { timeout: 300_000 });
}

export interface RunSpec {
  readonly workload: WorkloadName;
  readonly threads: number;
  readonly seconds: number;
  readonly psMode: PsMode;
}

/** One sysbench run; a run sysbench aborts is returned with its error lines, never thrown. */
export async function sysbenchRun(target: SysbenchTarget, spec: RunSpec): Promise<SysbenchResult> {
  const w = WORKLOADS[spec.workload];
  const args = sysbenchArgs(w.script, target, [
    ...w.extra,
    `--db-ps-mode=${spec.psMode}`,
    `--threads=${spec.threads}`,
    `--time=${spec.seconds}`,
    "--percentile=95",
    "--histogram=on",
    "run",
  ]);
  let output: string;
  try {
    output = (await run("sysbench", args, { timeout: (spec.seconds + 120) * 1000, maxBuffer: 64 << 20 }))
      .stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    output = `${err.stdout ?? ""}\n${err.stderr ?? ""}\n${err.message}`;
  }
  return parseSysbench(output);
}

/** Reads sysbench 1.0's "SQL statistics" report; a missing report is a failed run (all zeros). */
export function parseSysbench(output: string): SysbenchResult {
  const pair = (label: string): [number, number] => {
    const m = new RegExp(`${label}:\\s+(\\d+)\\s+\\(([\\d.]+) per sec\\.\\)`).exec(output);
    return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
  };
  const num = (label: string): number => {
    const m = new RegExp(`${label}:\\s+([\\d.]+)`).exec(output);
    return m === null ? 0 : Number(m[1]);
  };
  const [queries, qps] = pair("queries");
  const [transactions, tps] = pair("transactions");
  const [ignoredErrors] = pair("ignored errors");
  const [reconnects] = pair("reconnects");
  const errorLines = output.split("\n").filter((l) => /FATAL|WARNING|error \d+|Command failed/i.test(l));
  const fatal = errorLines.filter((l) => /FATAL/.test(l)).length;
  // no report at all: the run failed as a whole even if sysbench printed no FATAL line
  const errors = fatal === 0 && queries === 0 ? 1 : fatal;
  if (queries === 0 && errorLines.length === 0)
    errorLines.push(output.trim().split("\n").slice(-5).join(" | "));
  return {
    queries,
    qps,
    transactions,
    tps,
    errors,
    ignoredErrors,
    reconnects,
    avgMs: num("avg"),
    p50Ms: histogramPercentile(output, 0.5),
    p95Ms: num("95th percentile"),
    errorLines: errorLines.slice(0, 10),
    output,
  };
}

/**
 * A percentile from sysbench's `--histogram=on` table ("value |*** count" lines, values in ms):
 * the smallest bucket value at or above the fraction of all counted events. 0 when absent.
 */
export function histogramPercentile(output: string, fraction: number): number {
  const buckets: [number, number][] = [];
  for (const line of output.split("\n")) {
    const m = /^\s*([\d.]+)\s+\|\**\s+(\d+)\s*$/.exec(line);
    if (m !== null) buckets.push([Number(m[1]), Number(m[2])]);
  }
  const total = buckets.reduce((a, [, c]) => a + c, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const [value, count] of buckets) {
    seen += count;
    if (seen >= total * fraction) return value;
  }
  return buckets[buckets.length - 1]?.[0] ?? 0;
}
