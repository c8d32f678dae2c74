import mysql from "mysql2/promise";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import type { ActiveOperations } from "../../src/routing/active-operations.js";
import { staticTopology } from "../../src/routing/static-topology.js";
import { loadActivePolicy } from "../../src/runtime/active-policy.js";
import { type ProxyHandle, type ProxyHooks, startProxy } from "../../src/runtime/proxy.js";
import { createProxyLogger } from "../../src/runtime/proxy-logger.js";
import type { ProxyOptions } from "../../src/runtime/proxy-options.js";
import { type RoutingSetup, routingHook } from "../../src/runtime/routing-environment.js";

/** Starts Sluice in front of the cluster's primary (and replicas, unused until routing lands). */
export function startTestProxy(
  cluster: ClusterControl,
  overrides: Partial<ProxyOptions> = {},
  hooks: ProxyHooks = {},
): Promise<ProxyHandle> {
  const { app, monitor } = cluster.info.users;
  return startProxy(
    {
      listen: { host: "127.0.0.1", port: 0 },
      servers: cluster.info.servers.map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role })),
      users: [
        { name: app.user, password: app.password },
        { name: monitor.user, password: monitor.password },
      ],
      ...overrides,
      pool: { minIdle: 1, maxIdle: 4, ...overrides.pool },
      logger: overrides.logger ?? createProxyLogger(process.env.SLUICE_LOG_LEVEL ?? "silent"),
    },
    hooks,
  );
}

export function connectThrough(
  proxy: ProxyHandle,
  cluster: ClusterControl,
  options: Partial<mysql.ConnectionOptions> = {},
): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: proxy.host,
    port: proxy.port,
    user: cluster.info.users.app.user,
    password: cluster.info.users.app.password,
    database: cluster.info.database,
    connectTimeout: 5_000,
    ...options,
  });
}

/** Resolves with the error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(
  p: Promise<unknown>,
): Promise<Error & { errno?: number; sqlState?: string; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { errno?: number; sqlState?: string };
  }
  throw new Error("expected the operation to fail, but it succeeded");
}

/** A Sluice that routes by `policyFile` over the cluster's configured roles (all servers up). */
export async function startRoutedProxy(
  cluster: ClusterControl,
  policyFile: string,
  overrides: Partial<ProxyOptions> = {},
  setup: Partial<Pick<RoutingSetup, "onStatement" | "onDecision" | "releaseAfterMs">> = {},
): Promise<{ readonly proxy: ProxyHandle; readonly operations: ActiveOperations }> {
  const loaded = await loadActivePolicy([policyFile], 1);
  if (loaded.kind !== "ok") throw new Error(loaded.report);
  const topology = staticTopology(
    cluster.info.servers.map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role })),
  );
  const hook = routingHook({
    policy: () => loaded.policy,
    topology: () => topology,
    multiplexing: true,
    ...setup,
  });
  let operations: ActiveOperations | undefined;
  const proxy = await startTestProxy(cluster, overrides, {
    routing: (pool) => {
      const env = hook(pool);
      operations = env.operations;
      return env;
    },
  });
  if (operations === undefined) throw new Error("startProxy did not build the routing environment");
  return { proxy, operations };
}
