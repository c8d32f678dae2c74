/**
 * Starts the local cluster (primary + 2 replicas) with sysbench tables, writes its ClusterInfo to
 * the file given as argv[2] and keeps it running until SIGTERM/SIGINT: for iterating on one
 * measurement (e.g. a profile) without paying cluster start-up each time.
 *
 *   node --import tsx bench/lib/hold-cluster.ts /tmp/cluster.json &
 */
import { writeFileSync } from "node:fs";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import { sysbenchPrepare } from "../sysbench/sysbench.js";

const out = process.argv[2] ?? "cluster.json";
const cluster = await startLocalCluster({
  replicas: 2,
  log: (l) => process.stderr.write(`[cluster] ${l}\n`),
});
const p = cluster.control.primary;
const { app } = cluster.info.users;
await sysbenchPrepare({
  host: p.host,
  port: p.port,
  user: app.user,
  password: app.password,
  database: cluster.info.database,
});
await cluster.control.waitForReplication(120_000);
writeFileSync(out, JSON.stringify({ info: cluster.info, mariadbd: cluster.mariadbd }, null, 2));
process.stderr.write(`cluster ready; info in ${out}\n`);
const stop = () => {
  cluster.stop().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
setInterval(() => {}, 1 << 30);
