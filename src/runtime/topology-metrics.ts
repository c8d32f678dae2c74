import type { SluiceMetrics } from "../admin/sluice-metrics.js";
import type { Topology } from "../monitor/types.js";

/**
 * Each server's state and replication lag in /metrics, from the topology the monitor publishes.
 * Recorded where the monitor runs: the single process, or with workers the primary only (the
 * workers' families would otherwise repeat them).
 */
export function recordTopology(metrics: SluiceMetrics, topology: Topology): void {
  for (const s of topology.servers) {
    metrics.serverState(s.name, s.state);
    metrics.replicationLag(s.name, s.role === "replica" ? s.lagSeconds : null);
  }
}
