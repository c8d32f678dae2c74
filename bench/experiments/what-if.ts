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
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalCluster, startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ClusterInfo } from "../../src/cluster/types.js";
import { activityBetween, readCounters } from "../lib/backend-counters.js";
import { cpuSeconds, round } from "../lib/proc-stats.js";
import { machine, say, writeResult } from "../lib/results.js";
import { median } from "../sysbench/matrix.js";
import { type RunSpec, type SysbenchTarget, sysbenchPrepare, sysbenchRun } from "../sysbench/sysbench.js";
import { startSluice } from "../targets/sluice-process.js";
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

let owned: LocalCluster | undefined;
let info: ClusterInfo;
if (clusterFile !== "") {
  info = (JSON.parse(readFileSync(clusterFile, "utf8")) as { info: ClusterInfo }).info;
} else {
  owned = await startLocalCluster({ replicas: 2, log: (l) => say(`[cluster] ${l}`) });
  info = owned.info;
}
const primary = info.servers.find((s) => s.role === "primary")!;
const direct: SysbenchTarget = {
  host: primary.host,
  port: primary.port,
  user: info.users.app.user,
  password: info.users.app.password,
  database: info.database,
};
const workDir = mkdtempSync(join(tmpdir(), "sluice-whatif-"));
const rows: Record<string, unknown>[] = [];
try {
  if (owned !== undefined) {
    await sysbenchPrepare(direct);
    await owned.control.waitForReplication(120_000);
  }
  const entries = new Map<string, string | undefined>([["as-built", undefined]]);
  for (const v of variants) if (v !== "as-built") entries.set(v, await whatIfCli(v));
  for (const spec of specs)
    for (let r = 1; r <= rounds; r++) {
      const d = await sysbenchRun(direct, { ...spec, seconds });
      rows.push({ ...spec, round: r, target: "direct", qps: d.qps, p50Ms: d.p50Ms, errors: d.errors });
      say(`${spec.workload} round ${r} direct qps=${d.qps}`);
      for (const v of variants) {
        const s = await startSluice(info, { mode: "serve", workers: 1, workDir, entry: entries.get(v) });
        const ep = { ...direct, host: "127.0.0.1", port: s.port };
        await sysbenchRun(ep, { ...spec, seconds: 3 });
        const before = await readCounters(info.servers);
        const c0 = cpuSeconds(s.pid);
        const res = await sysbenchRun(ep, { ...spec, seconds });
        const cpu = cpuSeconds(s.pid) - c0;
        const act = activityBetween(before, await readCounters(info.servers), info.servers);
        await s.stop();
        const row = {
          ...spec,
          round: r,
          target: v,
          qps: res.qps,
          p50Ms: res.p50Ms,
          errors: res.errors,
          cpuMsPerQuery: res.queries === 0 ? null : round((cpu / res.queries) * 1000, 4),
          backendStatementsPerQuery:
            res.queries === 0 ? null : round((act.total.Questions ?? 0) / res.queries, 2),
          selectsByServer: act.selectsByServer,
        };
        rows.push(row);
        say(
          `${spec.workload} round ${r} ${v} qps=${res.qps} cpu/q=${row.cpuMsPerQuery}ms backend/q=${row.backendStatementsPerQuery}`,
        );
      }
    }
} finally {
  await owned?.stop();
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
