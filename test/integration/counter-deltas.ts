import type { ClusterControl } from "../../src/cluster/cluster-control.js";

/** `SHOW GLOBAL STATUS LIKE 'Com_%'` of every server of the cluster, in its order (primary first). */
export type Counters = Record<string, number>[];

export function counters(cluster: ClusterControl): Promise<Counters> {
  return Promise.all(cluster.info.servers.map((s) => cluster.comCounters(s)));
}

/** How much counter `name` grew on the primary and on all replicas together. */
export function delta(
  cluster: ClusterControl,
  before: Counters,
  after: Counters,
  name: string,
): { primary: number; replicas: number } {
  const d = cluster.info.servers.map((_, i) => (after[i]?.[name] ?? 0) - (before[i]?.[name] ?? 0));
  return { primary: d[0]!, replicas: d.slice(1).reduce((a, b) => a + b, 0) };
}
