import type { Logger } from "pino";
import type { SluiceConfig } from "../config/index.js";
import { Monitor } from "../monitor/monitor.js";

/**
 * The Monitor the config describes (not started). One per Sluice: the single process builds it,
 * or with `--workers N` the primary process only, so failover and fencing run exactly once.
 */
export function monitorFromConfig(config: SluiceConfig, log: Logger): Monitor {
  const { credentials, replication } = config.monitor;
  const monitorLogin = { user: credentials.user, password: credentials.password.reveal() };
  return new Monitor(
    {
      servers: config.servers.map((s) => ({ name: s.name, host: s.host, port: s.port })),
      credentials: monitorLogin,
      replication:
        replication === null
          ? monitorLogin
          : { user: replication.user, password: replication.password.reveal() },
      intervalMs: config.monitor.intervalMs,
      probeTimeoutMs: config.monitor.probeTimeoutMs,
      maxLagSeconds: config.monitor.maxLagSeconds,
      lagRecoverSeconds: config.monitor.lagRecoverSeconds,
      downAfter: config.monitor.downAfter,
      failAfter: config.monitor.failAfter,
      graceChecks: config.monitor.grace,
      failover: config.monitor.failover,
      cooperative: config.monitor.cooperative,
      hooks: config.hooks,
    },
    log.child({ component: "monitor" }),
  );
}
