/**
 * Before/after of one optimisation: two or more compiled Sluice builds (snapshots made with
 * `bench/experiments/snapshot-build.ts`) in the same interleaved rounds (A, B, A, B…) on one
 * cluster, so drift on the shared machine shows as spread rather than bias. Per build and cell:
 * QPS, p50, Sluice's CPU per query from /proc, the servers' statements and the write system calls
 * Sluice made per client query (strace-free: /proc/<pid>/io syscw). Writes
 * bench/results/<date>-<name>.json.
 *
 *   node --import tsx bench/experiments/ab.ts --builds base,coalesce --name opt-coalesce \
 *     [--cluster /tmp/cluster.json] [--specs point_select:disable:8,read_only_notrx:disable:32] \
 *     [--seconds 10] [--rounds 3] [--label "text"]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { experimentCluster, measureSluice } from "../lib/experiment.js";
import { round } from "../lib/proc-stats.js";
import { machine, say, sourceVersion, writeResult } from "../lib/results.js";
import { median } from "../sysbench/matrix.js";
import { isWorkload, type PsMode, type RunSpec } from "../sysbench/sysbench.js";
import { snapshotCli } from "./snapshot-build.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const builds = arg("builds", "base").split(",").filter(Boolean);
const name = arg("name", "ab");
const label = arg("label", "");
const seconds = Number(arg("seconds", "10"));
const rounds = Number(arg("rounds", "3"));
const clusterFile = arg("cluster", "");
const specs: Omit<RunSpec, "seconds">[] = arg("specs", "point_select:disable:8,read_only_notrx:disable:32")
  .split(",")
  .map((s) => {
    const [workload = "", ps = "disable", threads = "8"] = s.split(":");
    if (!isWorkload(workload)) throw new Error(`--specs: unknown workload '${workload}'`);
    return { workload, psMode: ps as PsMode, threads: Number(threads) };
  });

const cluster = await experimentCluster(clusterFile);
const workDir = mkdtempSync(join(tmpdir(), "sluice-ab-"));
const rows: Record<string, unknown>[] = [];
try {
  const entries = new Map(builds.map((b) => [b, snapshotCli(b)]));
  for (const spec of specs)
    for (let r = 1; r <= rounds; r++) {
      // alternate the order each round so neither build always runs first
      const order = r % 2 === 1 ? builds : [...builds].reverse();
      for (const b of order) {
        const row = {
          ...spec,
          round: r,
          build: b,
          ...(await measureSluice(cluster, workDir, entries.get(b), { ...spec, seconds })),
        };
        rows.push(row);
        say(
          `${spec.workload}/${spec.psMode}/${spec.threads} r${r} ${b.padEnd(12)} qps=${row.qps} cpu/q=${row.cpuMsPerQuery}ms writes/q=${row.writeCallsPerQuery} backend/q=${row.backendStatementsPerQuery} errors=${row.errors}`,
        );
      }
    }
} finally {
  await cluster.stop();
}
/** Median over rounds of (this build's value / the first build's value in the same round). */
function pairedRatio(spec: Omit<RunSpec, "seconds">, build: string, key: string): number {
  const same = (x: Record<string, unknown>) =>
    x.workload === spec.workload && x.psMode === spec.psMode && x.threads === spec.threads;
  const ratios: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const mine = rows.find((x) => same(x) && x.round === r && x.build === build);
    const first = rows.find((x) => same(x) && x.round === r && x.build === builds[0]);
    const a = Number(first?.[key]);
    const b = Number(mine?.[key]);
    if (a > 0 && b > 0) ratios.push(b / a);
  }
  return round(median(ratios), 3);
}

const summary = specs.flatMap((spec) =>
  builds.map((build) => {
    const mine = rows.filter(
      (x) =>
        x.workload === spec.workload &&
        x.psMode === spec.psMode &&
        x.threads === spec.threads &&
        x.build === build,
    );
    const pick = (k: string) => median(mine.map((x) => Number(x[k] ?? 0)));
    return {
      ...spec,
      build,
      qps: round(pick("qps"), 0),
      p50Ms: round(pick("p50Ms"), 3),
      cpuMsPerQuery: round(pick("cpuMsPerQuery"), 4),
      cpuMsPerQueryRange: [
        Math.min(...mine.map((x) => Number(x.cpuMsPerQuery))),
        Math.max(...mine.map((x) => Number(x.cpuMsPerQuery))),
      ],
      writeCallsPerQuery: round(pick("writeCallsPerQuery"), 2),
      backendStatementsPerQuery: round(pick("backendStatementsPerQuery"), 2),
      errors: mine.reduce((n, x) => n + Number(x.errors ?? 0), 0),
      // the two runs of one round are minutes closer in time than runs of different rounds: on a
      // shared machine the per-round ratio to the first build is the steadier figure
      cpuRatioToFirst: pairedRatio(spec, build, "cpuMsPerQuery"),
      qpsRatioToFirst: pairedRatio(spec, build, "qps"),
    };
  }),
);
const file = writeResult(name, "json", {
  bench: "ab",
  name,
  label,
  date: new Date().toISOString(),
  machine: machine(),
  source: sourceVersion(),
  note: "builds are snapshots of the compiled tree (bench/experiments/snapshot-build.ts) run as `sluice serve` with the default policy and multiplexing on, in interleaved rounds (order alternates per round); medians over rounds",
  seconds,
  rounds,
  summary,
  rows,
});
for (const s of summary)
  say(
    `${`${s.workload}/${s.psMode}/${s.threads}`.padEnd(26)} ${s.build.padEnd(12)} qps=${s.qps} cpu/q=${s.cpuMsPerQuery} [${s.cpuMsPerQueryRange.join("–")}] cpu×${s.cpuRatioToFirst} qps×${s.qpsRatioToFirst} writes/q=${s.writeCallsPerQuery} backend/q=${s.backendStatementsPerQuery}`,
  );
say(`wrote ${file}`);
