/**
 * The primary process of `sluice serve --workers N`: it owns what must exist once (config and
 * policy loading, the monitor, the admin listener, the HTTP endpoints, signals) and N worker
 * processes serve clients on the shared port. See README.md here for the whole design.
 */
import type { Logger } from "pino";
import type {
  ActionOutcome,
  AdminActions,
  AdminSnapshot,
  ReloadOutcome,
} from "../../admin/admin-snapshot.js";
import { mergeFamilies } from "../../admin/merge-metrics.js";
import { renderPrometheusText } from "../../admin/prometheus-text.js";
import { SluiceMetrics } from "../../admin/sluice-metrics.js";
import type { Monitor } from "../../monitor/monitor.js";
import type { ActivePolicy } from "../active-policy.js";
import {
  type ControlEndpoints,
  monitorActions,
  primaryReachable,
  startControlEndpoints,
} from "../control-endpoints.js";
import { monitorFromConfig } from "../monitor-from-config.js";
import { restartOnlyChanges, restartWarning } from "../reload-scope.js";
import { loadRuntime, type RuntimeLoad } from "../runtime-sources.js";
import { settleAcrossWorkers } from "../switchover-settle.js";
import { recordTopology } from "../topology-metrics.js";
import { mergeAdminSnapshots, type WorkerAnswer, workerFamilies } from "./merge-snapshots.js";
import type { RuntimeTexts, WorkerRequest } from "./messages.js";
import { reloadProblems } from "./reload-agreement.js";
import { WorkerProcesses } from "./worker-processes.js";
import { workerOfSession } from "./worker-share.js";

/** How long the primary waits for a worker's snapshot (admin command, /metrics scrape). */
export const SNAPSHOT_TIMEOUT_MS = 2_000;
/** How long a worker gets to parse and compile a reloaded config and policy. */
export const PREPARE_TIMEOUT_MS = 15_000;

type Current = Extract<RuntimeLoad, { kind: "ok" }>;

export type PrimaryStart =
  | { readonly kind: "started"; readonly primary: WorkerPrimary }
  | { readonly kind: "invalid"; readonly report: string };

export class WorkerPrimary {
  private draining = false;
  private endpoints: ControlEndpoints = { admin: null, http: null };
  private reloads: Promise<unknown> = Promise.resolve();
  private readonly metrics = new SluiceMetrics();
  /** what the settings a reload does not apply still are (see reload-scope.ts) */
  private readonly startedWith: Current["config"];

  private constructor(
    private readonly configPath: string,
    private current: Current,
    private readonly monitor: Monitor,
    private readonly processes: WorkerProcesses,
    private readonly log: Logger,
  ) {
    this.metrics.activePolicy(current.policy.version, current.policy.hash);
    this.startedWith = current.config;
  }

  static async start(configPath: string, workers: number, log: Logger): Promise<PrimaryStart> {
    const loaded = await loadRuntime(configPath, 1);
    if (loaded.kind === "invalid") return { kind: "invalid", report: loaded.diagnostics.join("\n\n") };
    if (loaded.warnings !== "") log.warn({ diagnostics: loaded.warnings }, "policy warnings");
    const monitor = monitorFromConfig(loaded.config, log);
    const box: { primary: WorkerPrimary | null } = { primary: null };
    const processes = new WorkerProcesses({
      count: workers,
      log: log.child({ component: "workers" }),
      startMessage: (placement) => ({
        kind: "start",
        placement,
        texts: textsOf(box.primary?.current ?? loaded),
        topology: monitor.topology,
      }),
      onServing: (slot, policy) => box.primary?.catchUp(slot, policy.hash),
    });
    const primary = new WorkerPrimary(configPath, loaded, monitor, processes, log);
    box.primary = primary;
    monitor.subscribe((topology) => {
      processes.broadcast({ kind: "topology", topology });
      recordTopology(primary.metrics, topology);
    });
    const up = await processes.startAll();
    if (up.kind === "failed") {
      await processes.stopAll(5_000);
      return { kind: "invalid", report: `the workers could not start:\n${up.report}` };
    }
    monitor.onSwitchover(() => settleAcrossWorkers());
    monitor.start();
    primary.endpoints = await startControlEndpoints(loaded.config, log, {
      snapshot: () => primary.snapshot(),
      actions: primary.actions(),
      metrics: () => primary.metricsText(),
      readiness: () => ({
        primaryReachable: primaryReachable(monitor.topology),
        policyLoaded: true,
        draining: primary.draining,
      }),
    });
    log.info(
      { policy: loaded.policy.version, hash: loaded.policy.hash, workers, pid: process.pid },
      "sluice serving",
    );
    return { kind: "started", primary };
  }

  get policy(): ActivePolicy {
    return this.current.policy;
  }

  get adminPort(): number | null {
    return this.endpoints.admin?.port ?? null;
  }

  /**
   * Re-reads config and policy and moves every worker to them, or none: each worker compiles the
   * texts the primary checked and says the hash it got (prepare); only when all agree do they
   * swap (commit). A reload never overlaps another.
   */
  reload(): Promise<ReloadOutcome> {
    const run = this.reloads.then(() => this.reloadNow());
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    const next = await loadRuntime(this.configPath, this.current.policy.generation + 1);
    if (next.kind === "invalid") return this.reloadFailed(next.diagnostics);
    if (next.warnings !== "") this.log.warn({ diagnostics: next.warnings }, "policy warnings");
    const texts = textsOf(next);
    const prepared = await this.processes.requestAll({ kind: "prepare", texts }, PREPARE_TIMEOUT_MS);
    const problems = reloadProblems(prepared, next.policy.hash, this.processes.list());
    if (problems.length > 0) {
      this.processes.broadcast({ kind: "abort", generation: texts.generation });
      return this.reloadFailed(problems);
    }
    // from here on a restarted worker starts with the new texts
    this.current = next;
    const committed = await this.processes.requestAll(
      { kind: "commit", generation: texts.generation },
      PREPARE_TIMEOUT_MS,
    );
    const late = committed.filter((c, i) => c.reply === null && prepared[i]?.reply !== null);
    if (late.length > 0)
      this.log.warn({ workers: late.map((c) => c.slot) }, "workers did not confirm the swap in time");
    this.metrics.reload(true);
    this.metrics.activePolicy(next.policy.version, next.policy.hash);
    const later = restartOnlyChanges(this.startedWith, next.config);
    if (later.length > 0) this.log.warn({ settings: later }, restartWarning(later));
    this.log.info(
      { policy: next.policy.version, hash: next.policy.hash, generation: texts.generation },
      "reloaded on every worker",
    );
    return { kind: "ok", version: next.policy.version, hash: next.policy.hash };
  }

  private reloadFailed(diagnostics: readonly string[]): ReloadOutcome {
    this.metrics.reload(false);
    this.log.error(
      { diagnostics: diagnostics.join("\n"), policy: this.current.policy.version },
      "reload failed; the running configuration and policy stay on every worker",
    );
    return { kind: "failed", diagnostics };
  }

  /** A worker (re)started while a reload happened may run an older policy: bring it up to date. */
  private catchUp(slot: number, hash: string): void {
    if (hash === this.current.policy.hash) return;
    // queued like a reload, so the two never interleave their prepare and commit
    this.reloads = this.reloads.then(async () => {
      const texts = textsOf(this.current);
      const ok = await this.processes.request(slot, { kind: "prepare", texts }, PREPARE_TIMEOUT_MS);
      if (ok?.kind === "prepared" && ok.hash === this.current.policy.hash)
        await this.processes.request(
          slot,
          { kind: "commit", generation: texts.generation },
          PREPARE_TIMEOUT_MS,
        );
      else
        this.log.error({ worker: slot, answer: ok }, "a restarted worker could not take the current policy");
    });
  }

  async snapshot(): Promise<AdminSnapshot> {
    const answers = await this.ask({ kind: "snapshot", admin: true, metrics: false });
    const p = this.current.policy;
    return mergeAdminSnapshots(
      {
        now: Date.now(),
        // servers and digest size as the processes started with them: a reload changes neither
        servers: this.startedWith.servers,
        topology: this.monitor.topology,
        policy: { version: p.version, hash: p.hash, loadedAt: p.loadedAt, files: p.files, source: p.source },
        maxDigests: this.startedWith.queryStats.maxDigests,
        workers: this.processes.list(),
      },
      answers,
    );
  }

  /** /metrics: the primary's own families (reloads, policy) and every worker's, added up. */
  async metricsText(): Promise<string> {
    const answers = await this.ask({ kind: "snapshot", admin: false, metrics: true });
    return renderPrometheusText(
      mergeFamilies([
        this.metrics.registry.collect(),
        workerFamilies(this.processes.list(), answers),
        ...answers.flatMap((a) => (a.snapshot?.metrics == null ? [] : [a.snapshot.metrics])),
      ]),
    );
  }

  private async ask(request: WorkerRequest): Promise<WorkerAnswer[]> {
    const replies = await this.processes.requestAll(request, SNAPSHOT_TIMEOUT_MS);
    const serving = new Set(this.processes.list().flatMap((w) => (w.state === "serving" ? [w.slot] : [])));
    const silent = replies.filter((r) => r.reply === null && serving.has(r.slot)).map((r) => r.slot);
    if (silent.length > 0)
      this.log.warn({ workers: silent, request: request.kind }, "workers did not answer in time");
    return replies.map((r) => ({
      slot: r.slot,
      snapshot: r.reply?.kind === "snapshot" ? r.reply.snapshot : null,
    }));
  }

  actions(): AdminActions {
    return {
      reload: () => this.reload(),
      ...monitorActions(this.monitor),
      killSession: async (id, scope): Promise<ActionOutcome> => {
        // ids interleave across workers, so the id says whose session it is
        const slot = workerOfSession(id, this.processes.count);
        const reply = await this.processes.request(
          slot,
          { kind: "kill", session: id, ...(scope === undefined ? {} : { scope }) },
          SNAPSHOT_TIMEOUT_MS,
        );
        return reply?.kind === "killed"
          ? reply.outcome
          : { kind: "error", message: `worker ${slot}, which holds session ${id}, did not answer` };
      },
    };
  }

  /**
   * SIGUSR2 (logrotate moved the log files): every serving worker reopens its own (its log and
   * query log) and confirms; one that does not answer in time is named in a warning.
   */
  async reopenLogs(): Promise<void> {
    await this.ask({ kind: "reopen" });
  }

  /** SIGTERM: every worker drains its sessions (transactions finish), then the rest closes. */
  async shutdown(): Promise<void> {
    this.draining = true;
    await this.processes.stopAll(this.current.config.shutdown.drainTimeoutMs + 10_000);
    await this.endpoints.admin?.close();
    await this.endpoints.http?.close();
    await this.monitor.stop();
    this.log.info("sluice stopped");
  }
}

function textsOf(loaded: Current): RuntimeTexts {
  return { config: loaded.configText, policy: loaded.policy.sources, generation: loaded.policy.generation };
}
