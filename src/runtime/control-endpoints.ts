import type { Logger } from "pino";
import type { AdminActions, AdminSnapshot } from "../admin/admin-snapshot.js";
import { type HttpEndpoints, type Readiness, startHttpEndpoints } from "../admin/http.js";
import { type AdminListener, startAdminListener } from "../admin/sql-listener.js";
import type { SluiceConfig } from "../config/index.js";
import type { Monitor } from "../monitor/monitor.js";
import type { Topology } from "../monitor/types.js";

/** What the admin listener and the HTTP endpoints read and do; the single process or the primary. */
export interface ControlHandlers {
  /** with workers, gathered from them over IPC: hence possibly async */
  snapshot(): AdminSnapshot | Promise<AdminSnapshot>;
  readonly actions: AdminActions;
  metrics(): string | Promise<string>;
  readiness(): Readiness;
}

export interface ControlEndpoints {
  readonly admin: AdminListener | null;
  readonly http: HttpEndpoints | null;
}

/** Starts the admin listener and the HTTP endpoints the config asks for (each is optional). */
export async function startControlEndpoints(
  config: SluiceConfig,
  log: Logger,
  handlers: ControlHandlers,
): Promise<ControlEndpoints> {
  let admin: AdminListener | null = null;
  let http: HttpEndpoints | null = null;
  if (config.admin !== null) {
    const a = config.admin;
    const password = a.password.kind === "plain" ? a.password.secret.reveal() : null;
    if (password === null) {
      log.warn("the admin interface needs a clear password (password_env or password_file); not started");
    } else {
      admin = await startAdminListener({
        host: a.host,
        port: a.port,
        user: a.user,
        password,
        snapshot: () => handlers.snapshot(),
        actions: handlers.actions,
        logger: log.child({ component: "admin" }),
      });
    }
  }
  if (config.http !== null) {
    http = await startHttpEndpoints({
      host: config.http.host,
      port: config.http.port,
      metrics: () => handlers.metrics(),
      readiness: () => handlers.readiness(),
    });
  }
  return { admin, http };
}

/** SET SERVER and SWITCHOVER TO: both act on the monitor (which runs once per Sluice). */
export function monitorActions(monitor: Monitor): Pick<AdminActions, "setServerState" | "switchover"> {
  return {
    setServerState: async (server, state) => {
      const done =
        state === "maintenance"
          ? monitor.setMaintenance(server)
          : state === "drain"
            ? monitor.setDrain(server)
            : monitor.setOnline(server);
      return done === null
        ? { kind: "error", message: `the monitor has no server '${server}'` }
        : { kind: "ok", message: `${server}: ${state}` };
    },
    switchover: async (target) => {
      const result = await monitor.switchover(target);
      return result.kind === "failed"
        ? { kind: "error", message: result.reason }
        : { kind: "ok", message: `switchover to ${target} done` };
    },
  };
}

/**
 * For /readyz: the monitor's last topology has a server that takes writes now (the primary, up,
 * not read-only, not in maintenance). A dead primary awaiting failover, or a failover that is
 * blocked, is "not ready" even though replicas still answer reads. A switchover under way pauses
 * writes for a moment (they wait in Sluice) and stays ready.
 */
export function primaryReachable(topology: Topology | null): boolean {
  if (topology === null) return false;
  return topology.switchover !== undefined || topology.servers.some((s) => s.acceptsWrites);
}
