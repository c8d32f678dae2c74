import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { waitFor } from "./fault-wait.js";

/**
 * Puts the cluster back as the global setup left it: every server running and not paused (the
 * primary first, so replicas can reconnect to it), replication running and caught up. Fault test
 * files call it in afterAll, whatever happened.
 */
export async function restoreCluster(cluster: ClusterControl): Promise<void> {
  for (const server of [cluster.primary, ...cluster.replicas]) {
    await cluster.resume(server);
    if (!cluster.isRunning(server)) await cluster.start(server);
  }
  for (const replica of cluster.replicas) {
    const status = (await cluster.rootQuery(replica, "SHOW SLAVE STATUS"))[0];
    if (status?.Slave_SQL_Running !== "Yes" || status?.Slave_IO_Running === "No") {
      await cluster.rootQuery(replica, "START SLAVE");
    }
  }
  await cluster.waitForReplication(60_000);
}

/** Backend threads `user` has on `server`, as the server sees them. */
export async function serverThreads(
  cluster: ClusterControl,
  server: ReturnType<ClusterControl["server"]>,
  user: string,
): Promise<number> {
  const rows = await cluster.rootQuery(
    server,
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${user}'`,
  );
  return Number(rows[0]?.n);
}

/**
 * After every client left: no session, no leased backend connection, and each running server
 * holds exactly the connections Sluice believes it has open (none forgotten, none phantom).
 */
export async function expectPoolsAtBaseline(
  cluster: ClusterControl,
  proxy: ProxyHandle | readonly ProxyHandle[],
  user: string,
): Promise<void> {
  // several Sluices on one cluster (the soak): the server sees the sum of their connections
  const all = Array.isArray(proxy) ? proxy : [proxy as ProxyHandle];
  const sum = (f: (p: ProxyHandle) => number) => all.reduce((n, p) => n + f(p), 0);
  await waitFor("client sessions to end", () => sum((p) => p.counters.activeSessions) === 0, 20_000);
  for (const server of cluster.info.servers) {
    await waitFor(
      `leases on ${server.name} to come back`,
      () => sum((p) => p.busyBackendConnections(server.name)) === 0,
      20_000,
    );
    if (!cluster.isRunning(server)) continue;
    let seen = { server: -1, sluice: -1 };
    try {
      await waitFor(
        `${server.name}'s threads for ${user} to match Sluice's open count`,
        async () => {
          seen = {
            server: await serverThreads(cluster, server, user),
            sluice: sum((p) => p.openBackendConnections(server.name)),
          };
          return seen.server === seen.sluice;
        },
        20_000,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message} (server ${seen.server}, Sluice ${seen.sluice})`);
    }
  }
}
