import type { SluiceConfig } from "../config/index.js";
import type { BackendServerOptions, ProxyOptions, UserOptions } from "./proxy-options.js";

/**
 * Maps the validated YAML config onto the proxy's options. Secrets are revealed here and only
 * here, on their way into the credential store.
 */
export function proxyOptionsFromConfig(config: SluiceConfig, listenerIndex = 0): ProxyOptions {
  const listener = config.listeners[listenerIndex];
  if (listener === undefined) throw new Error("the config has no listener");
  const primaryName = config.servers.find((s) => s.role === "primary")?.name ?? config.servers[0]?.name;
  const servers: BackendServerOptions[] = config.servers.map((s) => ({
    name: s.name,
    host: s.host,
    port: s.port,
    role: s.name === primaryName ? "primary" : "replica",
    ...(s.tls.mode === "disabled"
      ? {}
      : { tls: s.tls.mode === "required" ? true : { ca: s.tls.caFile, servername: s.host } }),
  }));
  const users: UserOptions[] = config.users.map((u) => {
    const rules = {
      ...(u.maxConnections === null ? {} : { maxConnections: u.maxConnections }),
      requireTls: u.requireTls,
    };
    return u.password.kind === "plain"
      ? { name: u.name, password: u.password.secret.reveal(), ...rules }
      : { name: u.name, passwordHash: u.password.hash.reveal(), ...rules };
  });
  return {
    listen: { host: listener.host, port: listener.port },
    servers,
    users,
    ...(listener.tls === null
      ? {}
      : {
          tls: {
            certPath: listener.tls.certFile,
            keyPath: listener.tls.keyFile,
            required: listener.requireTls,
          },
        }),
    pool: {
      minIdle: config.pools.minIdle,
      maxIdle: config.pools.maxIdle,
      maxPerServer: config.pools.maxPerServer,
      acquireTimeoutMs: config.pools.queueTimeoutMs,
      connectTimeoutMs: config.pools.connectTimeoutMs,
      idleTimeoutMs: config.pools.idleTimeoutMs,
    },
  };
}
