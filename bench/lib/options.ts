/** Command-line options of bench/run-all.ts. */
import { isWorkload, type PsMode, WORKLOADS, type WorkloadName } from "../sysbench/sysbench.js";
import type { SluiceMode } from "../targets/sluice-process.js";

export type Part = "micro" | "sysbench" | "conn" | "profile";

export interface BenchOptions {
  readonly quick: boolean;
  readonly name: string;
  readonly label: string;
  readonly parts: readonly Part[];
  readonly workloads: readonly WorkloadName[];
  readonly psModes: readonly PsMode[];
  readonly threads: readonly number[];
  readonly rounds: number;
  readonly seconds: number;
  readonly sluiceMode: SluiceMode;
  /** each runtime is its own target in the same rounds ("sluice", "sluice-tsx") */
  readonly runtimes: readonly ("built" | "tsx")[];
  readonly multiplex: boolean;
  readonly workers: readonly number[];
  readonly connCount: number;
  readonly connSeconds: number;
  readonly connInflight: number;
  readonly connWritePercent: number;
  readonly connMaxPerServer: number;
  readonly profileSeconds: number;
}

export const USAGE = `npm run bench -- [options]

  --quick                 short smoke run (a couple of minutes): 2 workloads, threads 1,32, ps=disable, 1 round, 5 s
  --only a,b              parts to run: micro, sysbench, conn, profile (default: all)
  --workloads a,b         ${Object.keys(WORKLOADS).join(", ")}
  --ps auto,disable       sysbench --db-ps-mode values
  --threads 1,8,32        sysbench thread counts
  --rounds N              interleaved rounds per cell (direct, Sluice, [ProxySQL], …)
  --seconds N             seconds per sysbench run
  --sluice auto|serve|embedded   how to start Sluice (auto: \`sluice serve\` if built, else startProxy)
  --runtime built,tsx     run \`sluice serve\` compiled by tsc (default) and/or from the sources via tsx
  --multiplex on|off      pools.multiplexing in the generated config for sysbench and profile (default on)
  --workers 1,2           Sluice with \`workers: N\` for each N, each its own target in the same rounds (default 1,2)
  --conn-count N          client connections in the scale test (default 10000)
  --conn-seconds N        workload seconds in the scale test
  --conn-write-percent N  share of UPDATEs in the scale test's workload (default 10; 0 = reads only)
  --conn-max-per-server N Sluice's pools.max_per_server in the scale test (default 32: 3 servers × 32
                          plus the monitor's 3 connections stay within the target of 100)
  --profile-seconds N     seconds of the profiled sysbench run
  --name NAME             results go to bench/results/<date>-NAME.{json,md,svg}
  --label TEXT            free text stored with the results (e.g. "after framer fix")

Environment: PROXYSQL_BIN (a ProxySQL binary: runs it in the same rounds), PROXYSQL_THREADS,
SLUICE_BENCH_COMMAND (start Sluice with this shell command; {config} and {port} are filled in).
`;

function value(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`--${name} needs a value\n\n${USAGE}`);
  return v;
}

function list(argv: readonly string[], name: string, fallback: readonly string[]): string[] {
  return (value(argv, name)?.split(",") ?? [...fallback]).map((s) => s.trim()).filter(Boolean);
}

function numbers(argv: readonly string[], name: string, fallback: readonly number[], min = 1): number[] {
  const out = list(argv, name, fallback.map(String)).map(Number);
  if (out.some((n) => !Number.isInteger(n) || n < min))
    throw new Error(`--${name}: ${min === 1 ? "positive integers" : `integers from ${min}`} expected`);
  return out;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const known = new Set([
    "quick",
    "only",
    "workloads",
    "ps",
    "threads",
    "rounds",
    "seconds",
    "sluice",
    "workers",
    "runtime",
    "multiplex",
    "conn-count",
    "conn-seconds",
    "conn-write-percent",
    "conn-max-per-server",
    "profile-seconds",
    "name",
    "label",
    "help",
  ]);
  for (const a of argv)
    if (a.startsWith("--") && !known.has(a.slice(2))) throw new Error(`unknown option ${a}\n\n${USAGE}`);
  const quick = argv.includes("--quick");
  const parts = list(argv, "only", ["micro", "sysbench", "conn", "profile"]);
  for (const p of parts)
    if (!["micro", "sysbench", "conn", "profile"].includes(p)) throw new Error(`--only: unknown part '${p}'`);
  const workloads = list(argv, "workloads", quick ? ["point_select", "read_write"] : Object.keys(WORKLOADS));
  for (const w of workloads) if (!isWorkload(w)) throw new Error(`--workloads: unknown workload '${w}'`);
  const psModes = list(argv, "ps", quick ? ["disable"] : ["auto", "disable"]);
  for (const p of psModes)
    if (p !== "auto" && p !== "disable") throw new Error(`--ps: auto or disable, not '${p}'`);
  const sluiceMode = value(argv, "sluice") ?? "auto";
  if (sluiceMode !== "auto" && sluiceMode !== "serve" && sluiceMode !== "embedded")
    throw new Error(`--sluice: auto, serve or embedded, not '${sluiceMode}'`);
  const runtimes = list(argv, "runtime", ["built"]);
  for (const r of runtimes)
    if (r !== "built" && r !== "tsx") throw new Error(`--runtime: built or tsx, not '${r}'`);
  const multiplex = value(argv, "multiplex") ?? "on";
  if (multiplex !== "on" && multiplex !== "off")
    throw new Error(`--multiplex: on or off, not '${multiplex}'`);
  const one = (name: string, fallback: number) => numbers(argv, name, [fallback])[0] ?? fallback;
  return {
    quick,
    name: value(argv, "name") ?? (quick ? "bench-quick" : "bench"),
    label: value(argv, "label") ?? "",
    parts: parts as Part[],
    workloads: workloads as WorkloadName[],
    psModes: psModes as PsMode[],
    threads: numbers(argv, "threads", quick ? [1, 32] : [1, 8, 32]),
    rounds: one("rounds", quick ? 1 : 2),
    seconds: one("seconds", quick ? 5 : 15),
    sluiceMode,
    runtimes: runtimes as ("built" | "tsx")[],
    multiplex: multiplex === "on",
    workers: numbers(argv, "workers", [1, 2]),
    connCount: one("conn-count", quick ? 1000 : 10_000),
    connSeconds: one("conn-seconds", quick ? 5 : 20),
    connInflight: 32,
    connWritePercent: numbers(argv, "conn-write-percent", [10], 0)[0] ?? 10,
    connMaxPerServer: one("conn-max-per-server", 32),
    profileSeconds: one("profile-seconds", quick ? 5 : 20),
  };
}
