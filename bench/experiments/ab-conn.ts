/**
 * Before/after of an optimisation on the connection-scale test (bench/conn-scale): snapshot
 * builds (bench/experiments/snapshot-build.ts) one after the other, alternating, on a held cluster
 * (bench/lib/hold-cluster.ts). Writes bench/results/<date>-<name>.json.
 *
 *   node --import tsx bench/experiments/ab-conn.ts --builds base,after --name opt-x \
 *     --cluster /tmp/cluster.json [--count 10000] [--seconds 20] [--write-percent 10] \
 *     [--max-per-server 33] [--rounds 1] [--label "text"]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterControl } from "../../src/cluster/cluster-control.js";
import type { LocalCluster } from "../../src/cluster/local-cluster.js";
import { type ConnScaleResult, runConnScale } from "../conn-scale/conn-scale.js";
import { machine, say, sourceVersion, writeResult } from "../lib/results.js";
import { snapshotCli } from "./snapshot-build.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const builds = arg("builds", "base").split(",").filter(Boolean);
const name = arg("name", "ab-conn");
const rounds = Number(arg("rounds", "1"));
const held = JSON.parse(readFileSync(arg("cluster", "/tmp/cluster.json"), "utf8")) as {
  info: LocalCluster["info"];
  mariadbd: LocalCluster["mariadbd"];
};
const cluster = { info: held.info, control: new ClusterControl(held.info, held.mariadbd) } as LocalCluster;
const spec = {
  count: Number(arg("count", "10000")),
  seconds: Number(arg("seconds", "20")),
  inflight: Number(arg("inflight", "32")),
  writePercent: Number(arg("write-percent", "10")),
  maxPerServer: Number(arg("max-per-server", "100")),
};
const workDir = mkdtempSync(join(tmpdir(), "sluice-ab-conn-"));
const results: (ConnScaleResult & { build: string; round: number })[] = [];
for (let r = 1; r <= rounds; r++)
  for (const build of r % 2 === 1 ? builds : [...builds].reverse()) {
    say(`conn-scale ${build} round ${r}: ${JSON.stringify(spec)}`);
    const result = await runConnScale(
      cluster,
      build,
      {
        mode: "serve",
        workers: 1,
        workDir,
        entry: snapshotCli(build),
        ...(arg("policy", "") === "" ? {} : { policy: arg("policy", "") }),
      },
      spec,
      say,
    );
    results.push({ ...result, build, round: r });
  }
const file = writeResult(name, "json", {
  bench: "ab-conn",
  name,
  label: arg("label", ""),
  date: new Date().toISOString(),
  machine: machine(),
  source: sourceVersion(),
  spec,
  results,
});
say(`wrote ${file}`);
