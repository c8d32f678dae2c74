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
      lastError: withBlockedFailover(status?.lastError ?? null, s.name, topology),
    };
  });
}

/** The (down) primary's row also says why no failover replaced it, if one was tried and failed. */
function withBlockedFailover(
  lastError: string | null,
  server: string,
  topology: Topology | null,
): string | null {
  const blocked = topology?.failoverBlocked;
  if (blocked === undefined || topology?.primary !== server) return lastError;
  const failover = `failover blocked: ${blocked}`;
  return lastError === null ? failover : `${lastError}; ${failover}`;
}
