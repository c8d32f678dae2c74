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

export interface SysbenchResult {
  readonly queries: number;
  readonly qps: number;
  readonly transactions: number;
  readonly tps: number;
  readonly errors: number;
  readonly ignoredErrors: number;
  readonly reconnects: number;
  readonly p95Ms: number;
  readonly avgMs: number;
  /** sysbench's own error lines (FATAL, or warnings about ignored errors such as deadlocks) */
  readonly errorLines: string[];
  readonly output: string;
}

/**
 * Table shape: 4 × 100,000 rows keeps `prepare` to seconds while making row-lock deadlocks
 * (which sysbench counts as "ignored errors", proxy or not) rare at 16 threads.
 */
export const SYSBENCH_TABLES = 4;
export const SYSBENCH_TABLE_SIZE = 100_000;

/** sysbench oltp_read_write arguments. */
export function sysbenchArgs(target: SysbenchTarget, extra: string[]): string[] {
  return [
    "oltp_read_write",
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
  await run("sysbench", sysbenchArgs(target, ["cleanup"]), { timeout: 120_000 }).catch(() => undefined);
  await run("sysbench", sysbenchArgs(target, ["prepare"]), { timeout: 300_000 });
}

export async function sysbenchRun(
  target: SysbenchTarget,
  threads: number,
  seconds: number,
): Promise<SysbenchResult> {
  const { stdout } = await run(
    "sysbench",
    sysbenchArgs(target, [`--threads=${threads}`, `--time=${seconds}`, "--percentile=95", "run"]),
    { timeout: (seconds + 120) * 1000, maxBuffer: 16 * 1024 * 1024 },
  );
  return parseSysbench(stdout);
}

/** Reads the numbers from sysbench 1.0's "SQL statistics" report. */
export function parseSysbench(output: string): SysbenchResult {
  const pair = (label: string): [number, number] => {
    const m = new RegExp(`${label}:\\s+(\\d+)\\s+\\(([\\d.]+) per sec\\.\\)`).exec(output);
    if (m === null) throw new Error(`sysbench output has no '${label}' line:\n${output}`);
    return [Number(m[1]), Number(m[2])];
  };
  const num = (label: string): number => {
    const m = new RegExp(`${label}:\\s+([\\d.]+)`).exec(output);
    if (m === null) throw new Error(`sysbench output has no '${label}' line:\n${output}`);
    return Number(m[1]);
  };
  const [queries, qps] = pair("queries");
  const [transactions, tps] = pair("transactions");
  const [ignoredErrors] = pair("ignored errors");
  const [reconnects] = pair("reconnects");
  // "FATAL" lines are how sysbench reports errors that abort a thread
  const errorLines = output.split("\n").filter((l) => /FATAL|WARNING|error \d+/i.test(l));
  const errors = errorLines.filter((l) => /FATAL/.test(l)).length;
  return {
    queries,
    qps,
    transactions,
    tps,
    errors,
    ignoredErrors,
    reconnects,
    p95Ms: num("95th percentile"),
    avgMs: num("avg"),
    errorLines,
    output,
  };
}
