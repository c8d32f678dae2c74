import { inject } from "vitest";
import { ClusterControl } from "../../src/cluster/cluster-control.js";

/** The cluster the integration project's global setup started (see test/cluster/global-setup.ts). */
export function useCluster(): ClusterControl {
  return new ClusterControl(inject("cluster"), inject("mariadbd"));
}
