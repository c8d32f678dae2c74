/** Public surface of the monitor, for runtime/routing/admin. */
export type { Credentials, FailoverMode, HookConfig, MonitorConfig, MonitorOptions } from "./config.js";
export { monitorDefaults, resolveMonitorConfig } from "./config.js";
export type { MonitorCounters } from "./counters.js";
export type { RunResult } from "./failover-run.js";
export { Monitor, MonitorConfigError, type TopologyListener } from "./monitor.js";
export { readers, writer } from "./snapshot.js";
export type {
  AdminState,
  Health,
  MonitorEvent,
  MonitorEventKind,
  MonitoredServer,
  Role,
  ServerState,
  ServerStatus,
  Topology,
} from "./types.js";
