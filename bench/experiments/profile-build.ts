/**
 * Profiles one snapshot build (bench/experiments/snapshot-build.ts) under one sysbench cell on a
 * held cluster (bench/lib/hold-cluster.ts) and prints the summary: for iterating on an
 * optimisation without the whole bench.
 *
 *   node --import tsx bench/experiments/profile-build.ts --build base --cluster /tmp/cluster.json \
 *     [--spec point_select:disable:8] [--seconds 15] [--top 25]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalCluster } from "../../src/cluster/local-cluster.js";
import type { ClusterInfo } from "../../src/cluster/types.js";
import { renderSummary } from "../profile/cpuprofile-summary.js";
import { profileSluice } from "../profile/profile-sluice.js";
import { isWorkload, type PsMode } from "../sysbench/sysbench.js";
import { snapshotCli } from "./snapshot-build.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const build = arg("build", "base");
const info = (JSON.parse(readFileSync(arg("cluster", "/tmp/cluster.json"), "utf8")) as { info: ClusterInfo })
  .info;
const [workload = "", ps = "disable", threads = "8"] = arg("spec", "point_select:disable:8").split(":");
if (!isWorkload(workload)) throw new Error(`--spec: unknown workload '${workload}'`);
const result = await profileSluice(
  { info } as LocalCluster,
  {
    mode: "serve",
    workers: 1,
    workDir: mkdtempSync(join(tmpdir(), "sluice-prof-")),
    entry: snapshotCli(build),
  },
  { workload, psMode: ps as PsMode, threads: Number(threads), seconds: Number(arg("seconds", "15")) },
  `build-${build}`,
);
process.stdout.write(
  `qps=${result.qps} cpu/1000q=${result.cpuSecondsPer1000Queries}s profile=${result.profileFile}\n`,
);
process.stdout.write(renderSummary(result.summary, Number(arg("top", "25"))));
