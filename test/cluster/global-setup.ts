import type { TestProject } from "vitest/node";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ClusterInfo } from "../../src/cluster/types.js";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
    mariadbd: string;
  }
}

/** One real MariaDB replication cluster for the whole integration run, always torn down. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startLocalCluster({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  process.stderr.write(`[cluster] ready in ${Date.now() - started} ms at ${cluster.info.baseDir}\n`);
  project.provide("cluster", cluster.info);
  project.provide("mariadbd", cluster.mariadbd);
  // Teardown also runs on SIGINT/SIGTERM of vitest; a watchdog process (src/cluster/reaper.ts)
  // covers the cases where even that does not happen (kill -9).
  return () => cluster.stop();
}
