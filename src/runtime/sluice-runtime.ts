import type { Logger } from "pino";
import type { AdminActions, AdminSnapshot, ReloadOutcome } from "../admin/admin-snapshot.js";
import { DigestTable } from "../admin/digests.js";
import type { HttpEndpoints } from "../admin/http.js";
import { SluiceMetrics } from "../admin/sluice-metrics.js";
import type { AdminListener } from "../admin/sql-listener.js";
import type { SluiceConfig } from "../config/index.js";
import type { Monitor } from "../monitor/monitor.js";
import type { Topology } from "../monitor/types.js";
import { staticTopology } from "../routing/static-topology.js";
import type { ActivePolicy } from "./active-policy.js";
import { adminServerRows } from "./admin-servers.js";
import { adminPools, adminSessions, serverConnections, serverRole } from "./admin-views.js";
import { monitorActions, primaryReachable, startControlEndpoints } from "./control-endpoints.js";
import { monitorFromConfig } from "./monitor-from-config.js";
import { proxyOptionsFromConfig } from "./options-from-config.js";
import { type ProxyHandle, startProxy } from "./proxy.js";
import { restartOnlyChanges, restartWarning } from "./reload-scope.js";
import { routingHook } from "./routing-environment.js";
import { loadRuntime } from "./runtime-sources.js";
import { StatementSink } from "./statement-sink.js";
import { settleWrites } from "./switchover-settle.js";
import { recordTopology } from "./topology-metrics.js";
import type { WorkerHooks } from "./workers/worker-hooks.js";

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
  /** as a worker: the topology the primary process last sent (see `start`) */
  private feed: (() => Topology | null) | null = null;
  /** metrics, digests and the query log of every forwarded statement (set once in `start`) */
  private statements: StatementSink | null = null;
  /** what the settings a reload does not apply still are (see reload-scope.ts) */
  private readonly startedWith: SluiceConfig;

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
  ) {
    this.startedWith = config;
  }

  /**
   * Loads config and policy from `configPath` and serves them. `worker`: this process is one
   * worker of `sluice serve --workers N` (src/runtime/workers/): config and policy are the ones
   * the primary process checked, the topology is the primary's monitor's, and no monitor, admin
   * or HTTP listener runs here.
   */
  static async start(configPath: string, log: Logger, worker?: WorkerHooks): Promise<StartResult> {
    const loaded = worker?.loaded ?? (await loadRuntime(configPath, 1));
    if (loaded.kind === "invalid") return { kind: "invalid", report: loaded.diagnostics.join("\n\n") };
    const { config, policy } = loaded;
    if (loaded.warnings !== "") log.warn({ diagnostics: loaded.warnings }, "policy warnings");
    const metrics = new SluiceMetrics();
    metrics.activePolicy(policy.version, policy.hash);
    // built in a worker too but never started there: the primary's monitor is the only one
    const monitor = monitorFromConfig(config, log);
    const options = worker?.proxyOptions(proxyOptionsFromConfig(config)) ?? proxyOptionsFromConfig(config);
    const fallback = staticTopology(options.servers);
    const hits = new Map<string, number>();
    const digests = new DigestTable(config.queryStats.maxDigests);
    const statements = new StatementSink(metrics, digests, config.logging.queryLog);
    // The runtime is built after the proxy, so routing reads the policy through a box the
    // runtime fills: a reload swaps the reference and the next statement sees the new policy.
    const box: { runtime: SluiceRuntime | null } = { runtime: null };
    // every path that needs "the primary" reads it from here (a worker: the primary process's)
    const liveTopology = () => usableTopology(worker?.topology() ?? monitor.topology);
    const proxy = await startProxy(
      { ...options, logger: log.child({ component: "proxy" }) },
      {
        topology: liveTopology,
        routing: routingHook({
          policy: () => box.runtime?.active ?? policy,
          topology: () => liveTopology() ?? fallback,
          multiplexing: config.pools.multiplexing,
          // the config's, swapped by adopt() with the policy
          statementTimeoutMs: () => (box.runtime?.config ?? config).pools.statementTimeoutMs ?? 0,
          failoverHoldMs: config.monitor.failoverHoldMs,
          onDecision: (rule) => hits.set(rule, (hits.get(rule) ?? 0) + 1),
          onStatement: statements.record,
        }),
      },
    );
    const runtime = new SluiceRuntime(
      configPath,
      config,
      policy,
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
    runtime.statements = statements;
    if (worker !== undefined) {
      runtime.feed = worker.topology;
      return { kind: "started", runtime };
    }
    monitor.subscribe((topology) => recordTopology(metrics, topology));
    monitor.onSwitchover((server) => settleWrites((name) => proxy.runningStatements(name), server));
    monitor.start();
    await runtime.startEndpoints();
    log.info({ policy: policy.version, hash: policy.hash, port: proxy.port }, "sluice serving");
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
    const endpoints = await startControlEndpoints(this.config, this.log, {
      snapshot: () => this.snapshot(),
      actions: this.actions(),
      metrics: () => this.metrics.render(),
      readiness: () => ({
        primaryReachable: primaryReachable(this.monitor.topology),
        policyLoaded: true,
        draining: this.draining,
      }),
    });
    this.admin = endpoints.admin;
    this.http = endpoints.http;
  }

  /** Re-reads config and policy; keeps everything running as it was when either is bad. */
  async reload(): Promise<ReloadOutcome> {
    const next = await loadRuntime(this.configPath, this.generation + 1);
    if (next.kind === "invalid") return this.reloadFailed([...next.diagnostics]);
    const later = restartOnlyChanges(this.startedWith, next.config);
    if (later.length > 0) this.log.warn({ settings: later }, restartWarning(later));
    this.adopt(next.config, next.policy);
    this.reloads.ok += 1;
    this.reloads.lastError = null;
    this.metrics.reload(true);
    this.log.info(
      { policy: next.policy.version, hash: next.policy.hash, generation: this.generation },
      "reloaded",
    );
    return { kind: "ok", version: next.policy.version, hash: next.policy.hash };
  }

  /**
   * Swaps in a checked config and policy as one step: the next statement routes by them and gets
   * the config's `pools.statement_timeout_ms`. Reload calls it; so does a worker when the primary
   * process commits a reload.
   */
  adopt(config: SluiceConfig, policy: ActivePolicy): void {
    this.generation = policy.generation;
    this.active = policy;
    this.hits.clear();
    this.config = config;
    this.metrics.activePolicy(policy.version, policy.hash);
    this.statements?.configure(config.logging.queryLog);
  }

  /** SIGUSR2 (logrotate moved the files): the query log reopens its file (serve does the root log's). */
  reopenLogs(): void {
    this.statements?.reopen();
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
    const topology = this.feed?.() ?? this.monitor.topology;
    const p = this.active;
    // the servers the proxy and monitor run with: a reload does not change them (reload-scope.ts)
    const running = this.startedWith.servers;
    const roles = new Map(running.map((s) => [s.name, s.role]));
    const pools = adminPools(this.proxy.poolStats(), p.pools, serverRole(topology, roles));
    const servers = adminServerRows(running, topology, (name) => serverConnections(pools, name));
    return {
      now: Date.now(),
      servers,
      pools,
      sessions: adminSessions(this.proxy.sessions(), this.config.listeners[0]?.name ?? "main"),
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

  /** What the admin interface can ask for; a worker answers KILL SESSION through it. */
  actions(): AdminActions {
    return {
      reload: () => this.reload(),
      ...monitorActions(this.monitor),
      killSession: async (id, scope = "connection") => {
        const r = await this.proxy.killSession(id, scope);
        if (r.kind === "no-such-session") return { kind: "error", message: `no session ${id}` };
        if (r.kind === "error") return { kind: "error", message: `KILL SESSION ${id}: ${r.message}` };
        return { kind: "ok", message: `session ${id} ${scope === "query" ? "interrupted" : "killed"}` };
      },
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
    this.statements?.close();
    this.log.info("sluice stopped");
  }
}

/** The monitor's topology once it knows a primary; before that, routing uses the configured roles. */
function usableTopology(topology: Topology | null): Topology | null {
  return topology !== null && topology.primary !== null ? topology : null;
}
