import { type CooperativeMode, cooperativeModes } from "./lock-plan.js";
import type { MonitorEventKind, MonitoredServer } from "./types.js";

export type FailoverMode = "auto" | "manual" | "off";

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** A command run on monitor events; argv is `command` followed by the event fields. */
export interface HookConfig {
  /** event kinds that trigger it; "*" for all */
  readonly on: readonly (MonitorEventKind | "*")[];
  /** executable and leading arguments; run without a shell */
  readonly command: readonly string[];
  readonly timeoutMs: number;
}

/** Thresholds that decide per-server state (the pure part of the configuration). */
export interface HealthThresholds {
  /** consecutive failed checks before a server is down */
  readonly downAfter: number;
  /** consecutive good checks before a down or lagging server re-enters rotation */
  readonly graceChecks: number;
  /** a replica whose lag exceeds this (seconds) is lagging */
  readonly maxLagSeconds: number;
  /** a lagging replica comes back only once its lag is at or under this (seconds) */
  readonly lagRecoverSeconds: number;
}

export interface MonitorConfig extends HealthThresholds {
  readonly servers: readonly MonitoredServer[];
  readonly credentials: Credentials;
  /** what replicas are given in CHANGE MASTER TO (failover, switchover, rejoin) */
  readonly replication: Credentials;
  readonly intervalMs: number;
  /** connect and per-query timeout of probes: a hung (SIGSTOPped) server counts as failed */
  readonly probeTimeoutMs: number;
  readonly failover: FailoverMode;
  /** consecutive failed checks of the primary before an automatic failover */
  readonly failAfter: number;
  /** before failing over, require that no reachable replica still has a live IO thread to the primary */
  readonly verifyPrimaryFailure: boolean;
  /** how long a promotion waits for the candidate to apply its relay log, and a switchover for catch-up */
  readonly catchUpTimeoutMs: number;
  /** after a failed failover, wait this long before trying again */
  readonly failoverBackoffMs: number;
  /** MASTER_CONNECT_RETRY given to replicas the monitor points somewhere (seconds) */
  readonly replicaConnectRetrySeconds: number;
  /** set read_only=1 on replicas found writable */
  readonly enforceReadOnlyReplicas: boolean;
  /** name of the GET_LOCK lock that elects one acting monitor among several Sluice instances */
  readonly lockName: string;
  /** whose majority of locks makes this instance the one that acts (see lock-plan.ts) */
  readonly cooperative: CooperativeMode;
  readonly hooks: readonly HookConfig[];
}

export type MonitorOptions = Pick<MonitorConfig, "servers" | "credentials" | "replication"> &
  Partial<Omit<MonitorConfig, "servers" | "credentials" | "replication">>;

export const monitorDefaults = {
  intervalMs: 1000,
  probeTimeoutMs: 1000,
  downAfter: 2,
  graceChecks: 3,
  maxLagSeconds: 10,
  lagRecoverSeconds: 5,
  failover: "manual",
  failAfter: 3,
  verifyPrimaryFailure: true,
  catchUpTimeoutMs: 30_000,
  failoverBackoffMs: 30_000,
  replicaConnectRetrySeconds: 1,
  enforceReadOnlyReplicas: true,
  lockName: "sluice_monitor",
  cooperative: "majority_of_running",
  hooks: [],
} as const satisfies Omit<MonitorConfig, "servers" | "credentials" | "replication">;

/** Fills defaults and checks values; returns the problems an operator must fix, or the config. */
export function resolveMonitorConfig(
  options: MonitorOptions,
): { kind: "ok"; config: MonitorConfig } | { kind: "invalid"; problems: string[] } {
  const config: MonitorConfig = { ...monitorDefaults, ...dropUndefined(options) } as MonitorConfig;
  const problems: string[] = [];
  const positiveInts = ["intervalMs", "probeTimeoutMs", "downAfter", "graceChecks", "failAfter"] as const;
  for (const key of positiveInts) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1) problems.push(`monitor.${key} must be a positive integer (got ${v})`);
  }
  if (!(config.maxLagSeconds > 0)) problems.push("monitor.maxLagSeconds must be > 0");
  if (!(config.lagRecoverSeconds >= 0 && config.lagRecoverSeconds <= config.maxLagSeconds)) {
    problems.push(
      `monitor.lagRecoverSeconds (${config.lagRecoverSeconds}) must be between 0 and maxLagSeconds (${config.maxLagSeconds}); a lower threshold to come back is what prevents flapping`,
    );
  }
  if (!["auto", "manual", "off"].includes(config.failover)) {
    problems.push(`monitor.failover must be auto, manual or off (got ${String(config.failover)})`);
  }
  if (!cooperativeModes.includes(config.cooperative)) {
    problems.push(
      `monitor.cooperative must be ${cooperativeModes.join(", ")} (got ${String(config.cooperative)})`,
    );
  }
  if (config.servers.length === 0) problems.push("monitor.servers is empty: nothing to monitor");
  const names = new Set<string>();
  for (const s of config.servers) {
    if (names.has(s.name)) problems.push(`server name "${s.name}" is used twice`);
    names.add(s.name);
  }
  for (const [i, h] of config.hooks.entries()) {
    if (h.command.length === 0) problems.push(`monitor.hooks[${i}].command is empty`);
    if (!(h.timeoutMs > 0)) problems.push(`monitor.hooks[${i}].timeoutMs must be > 0`);
  }
  return problems.length > 0 ? { kind: "invalid", problems } : { kind: "ok", config };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
