import type { AdminServer } from "../admin/admin-snapshot.js";
import type { ServerConfig } from "../config/index.js";
import type { Topology } from "../monitor/types.js";

/**
 * SHOW SERVERS rows: each configured server with the state the monitor last published and the
 * backend connections `counts` reports (this process's, or with workers the sum of theirs).
 */
export function adminServerRows(
  servers: readonly ServerConfig[],
  topology: Topology | null,
  counts: (server: string) => { readonly busy: number; readonly idle: number },
): AdminServer[] {
  return servers.map((s) => {
    const status = topology?.servers.find((x) => x.name === s.name);
    const { busy, idle } = counts(s.name);
    return {
      name: s.name,
      host: s.host,
      port: s.port,
      role: status?.role ?? "unknown",
      state: status?.state ?? "down",
      lagSeconds: status?.lagSeconds ?? null,
      weight: s.weight,
      connectionsBusy: busy,
      connectionsIdle: idle,
      lastError: status?.lastError ?? null,
    };
  });
}
