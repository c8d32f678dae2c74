import { rmSync } from "node:fs";
import { ensureMariadbBinaries } from "./binaries.js";
import type { ClusterControl } from "./cluster-control.js";
import { installDatadir, setupReplicaSql } from "./local-cluster.js";
import { rootQuery } from "./root-sql.js";
import type { ServerInfo } from "./types.js";

/**
 * Re-provisions `server` from nothing as a replica of `source`: what a DBA does with a server
 * that holds transactions the new primary never saw (an old primary killed after binlogging a
 * commit no replica received). Such a server can never replicate again as it is; Sluice's monitor
 * refuses to rejoin it. The fresh datadir replays `source`'s whole binlog, so this relies on the
 * local cluster never purging binlogs.
 */
export async function rebuildAsReplica(
  control: ClusterControl,
  server: ServerInfo,
  source: ServerInfo,
): Promise<void> {
  if (control.isRunning(server)) await control.kill(server);
  rmSync(server.datadir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  await installDatadir(ensureMariadbBinaries().installDb, server);
  await control.start(server);
  await rootQuery(server, ...setupReplicaSql(source));
}
