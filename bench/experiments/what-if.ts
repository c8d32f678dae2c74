/**
 * Puts numbers on the round trips multiplexing adds today: Sluice as built vs the what-if
 * builds (bench/experiments/what-if-build.ts) vs direct, in interleaved rounds, with the
 * backend statements per client query read from the servers' counters. Writes
 * bench/results/<date>-what-if.json.
 *
 *   node --import tsx bench/experiments/what-if.ts [--cluster /tmp/cluster.json] [--seconds 10] [--rounds 2]
 *
 * `--cluster` reuses a cluster held by bench/lib/hold-cluster.ts; without it one is started.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { experimentCluster, measureSluice } from "../lib/experiment.js";
import { round } from "../lib/proc-stats.js";
import { machine, say, writeResult } from "../lib/results.js";
import { median } from "../sysbench/matrix.js";
import { type RunSpec, sysbenchRun } from "../sysbench/sysbench.js";
import { type WhatIf, whatIfCli } from "./what-if-build.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const seconds = Number(arg("seconds", "10"));
const rounds = Number(arg("rounds", "2"));
const clusterFile = arg("cluster", "");
const variants: readonly ("as-built" | WhatIf)[] = ["as-built", "no-reset", "no-initdb", "both"];
const specs: readonly Omit<RunSpec, "seconds">[] = [
  { workload: "point_select", psMode: "disable", threads: 8 },
  { workload: "read_only_notrx", psMode: "disable", threads: 8 },
];

const cluster = await experimentCluster(clusterFile);
const { direct } = cluster;
const workDir = mkdtempSync(join(tmpdir(), "sluice-whatif-"));
const rows: Record<string, unknown>[] = [];
try {
  const entries = new Map<string, string | undefined>([["as-built", undefined]]);
  for (const v of variants) if (v !== "as-built") entries.set(v, await whatIfCli(v));
  for (const spec of specs)
    for (let r = 1; r <= rounds; r++) {
      const d = await sysbenchRun(direct, { ...spec, seconds });
      rows.push({ ...spec, round: r, target: "direct", qps: d.qps, p50Ms: d.p50Ms, errors: d.errors });
      say(`${spec.workload} round ${r} direct qps=${d.qps}`);
      for (const v of variants) {
        const row = {
          ...spec,
          round: r,
          target: v,
          ...(await measureSluice(cluster, workDir, entries.get(v), { ...spec, seconds })),
        };
        rows.push(row);
        say(
          `${spec.workload} round ${r} ${v} qps=${row.qps} cpu/q=${row.cpuMsPerQuery}ms backend/q=${row.backendStatementsPerQuery}`,
        );
      }
    }
} finally {
  await cluster.stop();
}
const summary = specs.flatMap((spec) =>
  ["direct", ...variants].map((target) => {
    const mine = rows.filter((x) => x.workload === spec.workload && x.target === target);
    const pick = (k: string) => median(mine.map((x) => Number(x[k] ?? 0)));
    return {
      workload: spec.workload,
      target,
      qps: round(pick("qps"), 0),
      p50Ms: round(pick("p50Ms"), 3),
      cpuMsPerQuery: target === "direct" ? null : round(pick("cpuMsPerQuery"), 4),
      backendStatementsPerQuery: target === "direct" ? null : pick("backendStatementsPerQuery"),
    };
  }),
);
const file = writeResult("what-if", "json", {
  bench: "what-if",
  date: new Date().toISOString(),
  machine: machine(),
  note: "what-if builds are prototypes patched into compiled JS for measurement only (bench/experiments/what-if-build.ts); Sluice as built: sluice serve with the default policy and pools.multiplexing on",
  seconds,
  rounds,
  summary,
  rows,
});
for (const s of summary)
  say(
    `${s.workload.padEnd(16)} ${s.target.padEnd(10)} qps=${s.qps} p50=${s.p50Ms} cpu/q=${s.cpuMsPerQuery} backend/q=${s.backendStatementsPerQuery}`,
  );
say(`wrote ${file}`);
