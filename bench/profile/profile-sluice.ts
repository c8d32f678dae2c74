/**
 * Profiles Sluice under sysbench: starts it with `node --cpu-prof`, runs one workload through
 * it, stops it (SIGTERM, so V8 writes the profile) and summarises the .cpuprofile. The profile
 * file stays in bench/results/profiles/ for a flame graph (open it in Chrome DevTools or
 * speedscope.app).
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LocalCluster } from "../../src/cluster/local-cluster.js";
import { cpuSeconds, round } from "../lib/proc-stats.js";
import { RESULTS_DIR, today } from "../lib/results.js";
import { type RunSpec, sysbenchRun } from "../sysbench/sysbench.js";
import { type SluiceLaunch, startSluice } from "../targets/sluice-process.js";
import { type ProfileSummary, readProfile, summariseProfile } from "./cpuprofile-summary.js";

export interface ProfileResult {
  readonly spec: RunSpec;
  readonly sluice: string;
  readonly qps: number;
  /** CPU per 1,000 queries with the profiler on (it costs a little) */
  readonly cpuSecondsPer1000Queries: number;
  readonly profileFile: string;
  readonly summary: ProfileSummary;
}

export async function profileSluice(
  cluster: LocalCluster,
  launch: Omit<SluiceLaunch, "cpuProfileDir">,
  spec: RunSpec,
  label: string,
): Promise<ProfileResult> {
  const dir = join(RESULTS_DIR, "profiles", `${today()}-${label}`);
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const sluice = await startSluice(cluster.info, { ...launch, cpuProfileDir: dir });
  const { app } = cluster.info.users;
  const endpoint = {
    host: "127.0.0.1",
    port: sluice.port,
    user: app.user,
    password: app.password,
    database: cluster.info.database,
  };
  // warm-up so the profile shows steady state, not JIT compilation
  await sysbenchRun(endpoint, { ...spec, seconds: Math.min(5, spec.seconds) });
  const cpu0 = cpuSeconds(sluice.pid);
  const r = await sysbenchRun(endpoint, spec);
  const cpu = cpuSeconds(sluice.pid) - cpu0;
  await sluice.stop();
  // V8 names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: keep Sluice's main
  // thread (0); drop the module loader's worker thread and any failed `serve` attempt
  const written = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f));
  const main = written.find((f) => f.includes(`.${sluice.pid}.0.`));
  if (main === undefined)
    throw new Error(
      `no main-thread .cpuprofile of pid ${sluice.pid} in ${dir} (did Sluice exit normally on SIGTERM?)`,
    );
  const file = join(dir, `${spec.workload}-${spec.psMode}-t${spec.threads}.cpuprofile`);
  renameSync(join(dir, main), file);
  for (const f of written) if (f !== main) rmSync(join(dir, f), { force: true });
  return {
    spec,
    sluice: sluice.how,
    qps: r.qps,
    cpuSecondsPer1000Queries: r.queries === 0 ? 0 : round((cpu / r.queries) * 1000, 4),
    profileFile: file,
    summary: summariseProfile(readProfile(file), 25),
  };
}
