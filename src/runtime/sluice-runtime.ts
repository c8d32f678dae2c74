import type { Logger } from "pino";
import type { AdminActions, AdminServer, AdminSnapshot, ReloadOutcome } from "../admin/admin-snapshot.js";
import { DigestTable } from "../admin/digests.js";
import { type HttpEndpoints, startHttpEndpoints } from "../admin/http.js";
import { SluiceMetrics } from "../admin/sluice-metrics.js";
import { type AdminListener, startAdminListener } from "../admin/sql-listener.js";
import { formatConfigDiagnostic, loadConfig, type SluiceConfig } from "../config/index.js";
import { Monitor } from "../monitor/monitor.js";
import type { Topology } from "../monitor/types.js";
import { staticTopology } from "../routing/static-topology.js";
import { type ActivePolicy, loadActivePolicy } from "./active-policy.js";
import { proxyOptionsFromConfig } from "./options-from-config.js";
import { type ProxyHandle, startProxy } from "./proxy.js";
import { routingHook } from "./routing-environment.js";

export type StartResult =
  | { readonly kind: "started"; readonly runtime: SluiceRuntime }
  | { readonly kind: "invalid"; readonly report: string };

/**
 * One running Sluice: config, active policy, proxy listener, monitor, admin and HTTP endpoints.
 * The one mutable holder of `{ config, policy }`: a reload builds the new policy aside and swaps
 * one reference, so a bad file never replaces a good one.
 */
export class SluiceRuntime {
  private draining = false;
  private generation = 1;
  private reloads = { ok: 0, failed: 0, lastError: null as string | null };

  private constructor(
    private readonly configPath: string,
    private config: SluiceConfig,
    private active: ActivePolicy,
    readonly proxy: ProxyHandle,
    readonly monitor: Monitor,
    private admin: AdminListener | null,
    private http: HttpEndpoints | null,
    readonly metrics: SluiceMetrics,
    readonly digests: DigestTable,
    private readonly log: Logger,
    /** rule name → statements decided by it under the active policy */
    private readonly hits: Map<string, number>,
  ) {}

  static async start(configPath: string, log: Logger): Promise<StartResult> {
    const loaded = loadConfig({ path: configPath });
    if (loaded.kind === "invalid") {
      return { kind: "invalid", report: loaded.diagnostics.map(formatConfigDiagnostic).join("\n\n") };
    }
    const config = loaded.config;
    const policy = await loadActivePolicy(config.policy.files, 1);
    if (policy.kind === "error") return { kind: "invalid", report: policy.report };
    if (policy.warnings !== "") log.warn({ diagnostics: policy.warnings }, "policy warnings");
    const metrics = new SluiceMetrics();
    metrics.activePolicy(policy.policy.version, policy.policy.hash);
    const monitor = new Monitor(
      {
        servers: config.servers.map((s) => ({ name: s.name, host: s.host, port: s.port })),
        credentials: {
          user: config.monitor.credentials.user,
          password: config.monitor.credentials.password.reveal(),
        },
        replication:
          config.monitor.replication === null
            ? {
                user: config.monitor.credentials.user,
                password: config.monitor.credentials.password.reveal(),
              }
            : {
                user: config.monitor.replication.user,
                password: config.monitor.replication.password.reveal(),
              },
        intervalMs: config.monitor.intervalMs,
        probeTimeoutMs: config.monitor.probeTimeoutMs,
        maxLagSeconds: config.monitor.maxLagSeconds,
        lagRecoverSeconds: config.monitor.lagRecoverSeconds,
        downAfter: config.monitor.downAfter,
        failAfter: config.monitor.failAfter,
        graceChecks: config.monitor.grace,
        failover: config.monitor.failover,
      },
      log.child({ component: "monitor" }),
    );
    const options = proxyOptionsFromConfig(config);
    const fallback = staticTopology(options.servers);
    const hits = new Map<string, number>();
    const digests = new DigestTable(config.queryStats.maxDigests);
    // The runtime is built after the proxy, so routing reads the policy through a box the
    // runtime fills: a reload swaps the reference and the next statement sees the new policy.
    const box: { runtime: SluiceRuntime | null } = { runtime: null };
    const proxy = await startProxy(
      { ...options, logger: log.child({ component: "proxy" }) },
      {
        routing: routingHook({
          policy: () => box.runtime?.active ?? policy.policy,
          topology: () => usableTopology(monitor.topology) ?? fallback,
          multiplexing: config.pools.multiplexing,
          onDecision: (rule) => hits.set(rule, (hits.get(rule) ?? 0) + 1),
          onStatement: (r) => {
            metrics.statement({
              pool: r.pool,
              server: r.server,
              rule: r.rule,
              seconds: r.latencyMs / 1000,
              error: r.error === null ? null : r.error === "server" ? "server" : "proxy",
            });
            digests.record({
              fingerprint: r.fingerprint,
              digest: r.digest,
              latencyMs: r.latencyMs,
              rows: 0,
              error: r.error !== null,
              pool: r.pool,
              at: r.at,
            });
          },
        }),
      },
    );
    const runtime = new SluiceRuntime(
      configPath,
      config,
      policy.policy,
      proxy,
      monitor,
      null,
      null,
      metrics,
      digests,
      log,
      hits,
    );
    box.runtime = runtime;
    monitor.start();
    await runtime.startEndpoints();
    log.info({ policy: policy.policy.version, hash: policy.policy.hash, port: proxy.port }, "sluice serving");
    return { kind: "started", runtime };
  }

  get policy(): ActivePolicy {
    return this.active;
  }

  get adminPort(): number | null {
    return this.admin?.port ?? null;
  }

  get httpPort(): number | null {
    const address = this.http?.server.address();
    return typeof address === "object" && address !== null ? address.port : null;
  }

  private async startEndpoints(): Promise<void> {
    const { admin, http } = this.config;
    if (admin !== null) {
      const password = admin.password.kind === "plain" ? admin.password.secret.reveal() : null;
      if (password === null) {
        this.log.warn(
          "the admin interface needs a clear password (password_env or password_file); not started",
        );
      } else {
        this.admin = await startAdminListener({
          host: admin.host,
          port: admin.port,
          user: admin.user,
          password,
          snapshot: () => this.snapshot(),
          actions: this.actions(),
          logger: this.log.child({ component: "admin" }),
        });
      }
    }
    if (http !== null) {
      this.http = await startHttpEndpoints({
        host: http.host,
        port: http.port,
        metrics: () => this.metrics.render(),
        readiness: () => ({
          primaryReachable:
            this.monitor.topology?.servers.some((s) => s.role === "primary" && s.state !== "down") ?? false,
          policyLoaded: true,
          draining: this.draining,
        }),
      });
    }
  }

  /** Re-reads config and policy; keeps everything running as it was when either is bad. */
  async reload(): Promise<ReloadOutcome> {
    const loaded = loadConfig({ path: this.configPath });
    if (loaded.kind === "invalid") return this.reloadFailed(loaded.diagnostics.map(formatConfigDiagnostic));
    const next = await loadActivePolicy(loaded.config.policy.files, this.generation + 1);
    if (next.kind === "error") return this.reloadFailed([next.report]);
    this.generation += 1;
    this.active = next.policy;
    this.hits.clear();
    this.config = loaded.config;
    this.reloads.ok += 1;
    this.reloads.lastError = null;
    this.metrics.reload(true);
    this.metrics.activePolicy(next.policy.version, next.policy.hash);
    this.log.info(
      { policy: next.policy.version, hash: next.policy.hash, generation: this.generation },
      "reloaded",
    );
    return { kind: "ok", version: next.policy.version, hash: next.policy.hash };
  }

  private reloadFailed(diagnostics: string[]): ReloadOutcome {
    this.reloads.failed += 1;
    this.reloads.lastError = diagnostics.join("\n");
    this.metrics.reload(false);
    this.log.error(
      { diagnostics: this.reloads.lastError, policy: this.active.version },
      "reload failed; the running configuration and policy stay",
    );
    return { kind: "failed", diagnostics };
  }

  snapshot(): AdminSnapshot {
    const topology = this.monitor.topology;
    const servers: AdminServer[] = this.config.servers.map((s) => {
      const status = topology?.servers.find((x) => x.name === s.name);
      return {
        name: s.name,
        host: s.host,
        port: s.port,
        role: status?.role ?? "unknown",
        state: status?.state ?? "down",
        lagSeconds: status?.lagSeconds ?? null,
        weight: s.weight,
        connectionsBusy: 0,
        connectionsIdle: 0,
        lastError: status?.lastError ?? null,
      };
    });
    for (const server of servers) {
      const open = this.proxy.openBackendConnections(server.name);
      Object.assign(server, { connectionsBusy: open });
    }
    const p = this.active;
    return {
      now: Date.now(),
      servers,
      pools: [],
      sessions: [],
      rules: p.bundle.policy.rules.map((r) => ({
        position: r.index + 1,
        name: r.name,
        action: r.action.kind,
        hits: this.hits.get(r.name) ?? 0,
      })),
      digests: this.digests.all(),
      policy: { version: p.version, hash: p.hash, loadedAt: p.loadedAt, files: p.files, source: p.source },
    };
  }

  private actions(): AdminActions {
    return {
      reload: () => this.reload(),
      setServerState: async (server, state) => {
        const done =
          state === "maintenance"
            ? this.monitor.setMaintenance(server)
            : state === "drain"
              ? this.monitor.setDrain(server)
              : this.monitor.setOnline(server);
        return done === null
          ? { kind: "error", message: `the monitor has no server '${server}'` }
          : { kind: "ok", message: `${server}: ${state}` };
      },
      switchover: async (target) => {
        const result = await this.monitor.switchover(target);
        return result.kind === "failed"
          ? { kind: "error", message: result.reason }
          : { kind: "ok", message: `switchover to ${target} done` };
      },
      killSession: async (id) => ({ kind: "error", message: `KILL SESSION ${id}: not supported yet` }),
    };
  }

  /**
   * SIGTERM: stop accepting clients, let open transactions finish (up to the configured drain
   * time), then close endpoints, the monitor and the proxy.
   */
  async shutdown(): Promise<void> {
    this.draining = true;
    const cut = await this.proxy.drain(this.config.shutdown.drainTimeoutMs);
    if (cut > 0) this.log.warn({ sessions: cut }, "drain time over: closing sessions with open transactions");
    await this.admin?.close();
    await this.http?.close();
    await this.monitor.stop();
    await this.proxy.close();
    this.log.info("sluice stopped");
  }
}

/** The monitor's topology once it knows a primary; before that, routing uses the configured roles. */
function usableTopology(topology: Topology | null): Topology | null {
  return topology !== null && topology.primary !== null ? topology : null;
}
