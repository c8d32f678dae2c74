/**
 * The Monitor (thin shell): probes every server each interval, feeds the pure check step,
 * takes the cooperative lock, lets the leader fail over / fence / rejoin, publishes an immutable
 * Topology snapshot with the check's events to subscribers, logs and counts every event, and runs
 * the configured hooks. Checks and operations (switchover, manual failover) run one at a time.
 */
import type { Logger } from "pino";
import { type CheckState, checkStep } from "./check-step.js";
import { type MonitorConfig, type MonitorOptions, resolveMonitorConfig } from "./config.js";
import { createCounters, type MonitorCounters, recordEvents } from "./counters.js";
import { decideFailover } from "./failover-plan.js";
import { type RunContext, type RunResult, runFailover } from "./failover-run.js";
import { gtidOrEmpty } from "./gtid.js";
import { hookInvocation, hookMatches } from "./hook-invocation.js";
import { runHook } from "./hooks.js";
import { emptyLagHistory } from "./lag.js";
import { initialLockState, type LockState, releaseAll, updateLocks } from "./lock.js";
import type { PlanView } from "./plan-view.js";
import { probeServer, ServerLink } from "./probe.js";
import { type PromotionRecord, planRepairs } from "./repair-plan.js";
import { runRepairs } from "./repair-run.js";
import { buildTopology } from "./snapshot.js";
import { runSwitchover } from "./switchover.js";
import { initialHealth, setAdmin } from "./transitions.js";
import type { AdminState, MonitorEvent, ProbeResult, Topology } from "./types.js";

export type TopologyListener = (topology: Topology, events: readonly MonitorEvent[]) => void;

/** An operation that threw (a server vanished mid-way): reported as a failed result, not thrown. */
function failed(view: PlanView, error: unknown): RunResult {
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: "failed", oldPrimary: view.primary ?? "(none)", reason: `interrupted: ${reason}` };
}

export class MonitorConfigError extends Error {
  readonly code = "SLUICE_MONITOR_CONFIG";
  constructor(readonly problems: readonly string[]) {
    super(`invalid monitor configuration:\n  ${problems.join("\n  ")}`);
  }
}

export class Monitor {
  readonly config: MonitorConfig;
  private readonly links = new Map<string, ServerLink>();
  private readonly listeners = new Set<TopologyListener>();
  private readonly counters: MonitorCounters = createCounters();
  private readonly pendingHooks = new Set<Promise<void>>();
  private state: CheckState = { roles: null, health: new Map(), lagHistory: emptyLagHistory };
  private lock: LockState = initialLockState;
  private promotion: PromotionRecord | null = null;
  private refusedRejoins = new Set<string>();
  private backoffUntil = 0;
  /** why the last failover attempt failed, until the primary is replaced or answers again */
  private failoverBlocked: string | null = null;
  /** a switchover between fencing the old primary and publishing the new one */
  private switching: { from: string; to: string } | null = null;
  /** waits for writes under way on a server to finish (the runtime's; see onSwitchover) */
  private settleWrites: (server: string) => Promise<void> = async () => {};
  private last: {
    probes: ReadonlyMap<string, ProbeResult>;
    lags: ReadonlyMap<string, number | null>;
  } | null = null;
  private problems: readonly string[] = [];
  private roleProblems: readonly string[] = [];
  private current: Topology | null = null;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    options: MonitorOptions,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {
    const resolved = resolveMonitorConfig(options);
    if (resolved.kind === "invalid") throw new MonitorConfigError(resolved.problems);
    this.config = resolved.config;
    for (const s of this.config.servers) {
      this.links.set(s.name, new ServerLink(s, this.config.credentials, this.config.probeTimeoutMs));
    }
  }

  /** The latest snapshot; null before the first check completes. */
  get topology(): Topology | null {
    return this.current;
  }

  /** Event and transition counts, as plain data (a copy). */
  stats(): MonitorCounters {
    return structuredClone(this.counters);
  }

  subscribe(listener: TopologyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      const started = Date.now();
      await this.checkNow().catch((error) => this.log.error({ err: error }, "monitor check failed"));
      if (!this.running) return;
      const wait = Math.max(0, this.config.intervalMs - (Date.now() - started));
      this.timer = setTimeout(tick, wait);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
    await releaseAll(this.links, this.lock.held, this.config.lockName);
    await Promise.all([...this.links.values()].map((l) => l.close()));
    await Promise.all(this.pendingHooks);
  }

  /** Runs one check now (after any operation in progress) and returns the published snapshot. */
  checkNow(): Promise<Topology> {
    return this.enqueue(() => this.check());
  }

  setMaintenance(server: string): Topology | null {
    return this.setAdminState(server, "maintenance");
  }

  setDrain(server: string): Topology | null {
    return this.setAdminState(server, "draining");
  }

  setOnline(server: string): Topology | null {
    return this.setAdminState(server, "online");
  }

  /**
   * How a switchover waits, once the published topology pauses writes, for the writes already
   * under way on the old primary (the proxy knows them; the monitor does not).
   */
  onSwitchover(settleWrites: (server: string) => Promise<void>): void {
    this.settleWrites = settleWrites;
  }

  /** Planned switchover to `target`; only the leader may do it. */
  switchover(target: string): Promise<RunResult> {
    return this.enqueue(async () => {
      const started = Date.now();
      const view = await this.freshView();
      const ctx: RunContext = {
        ...this.runContext(),
        beforeFence: async (from, to) => {
          // routing sees no writer from now on and holds writes (failover_hold_ms) until the
          // check after the switchover publishes the new primary
          this.switching = { from, to };
          this.publish([]);
          await this.settleWrites(from);
        },
      };
      const result = this.lock.leader
        ? await runSwitchover(ctx, view, target)
            .catch((error) => failed(view, error))
            .finally(() => {
              this.switching = null;
            })
        : ({ kind: "failed", oldPrimary: view.primary ?? "(none)", reason: this.notLeader() } as const);
      const events: MonitorEvent[] =
        result.kind === "done"
          ? [
              {
                kind: "switchover",
                oldPrimary: result.oldPrimary,
                newPrimary: result.newPrimary,
                gtid: result.gtid,
                durationMs: Date.now() - started,
              },
              { kind: "new_primary", server: result.newPrimary, previous: result.oldPrimary },
            ]
          : [{ kind: "switchover_failed", target, reason: result.reason }];
      if (result.kind === "done") this.afterPromotion(result);
      await this.check(events);
      return result;
    });
  }

  /** Manual failover (failover: manual): replaces a primary that is down now. */
  failover(): Promise<RunResult> {
    return this.enqueue(async () => {
      const view = await this.freshView();
      const primary = view.primary;
      if (primary === null || view.health.get(primary)?.health !== "down") {
        return {
          kind: "failed",
          oldPrimary: primary ?? "(none)",
          reason: `primary ${primary ?? "(none)"} is not down`,
        };
      }
      if (!this.lock.leader) return { kind: "failed", oldPrimary: primary, reason: this.notLeader() };
      const { result, events } = await this.doFailover(view);
      await this.check(events);
      return result;
    });
  }

  private notLeader(): string {
    const of = this.config.cooperative === "majority_of_all" ? "all configured" : "the running";
    return `this instance does not hold the monitor lock (${this.config.lockName}) on a majority of ${of} servers; the instance that does must act`;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async probeAll(): Promise<Map<string, ProbeResult>> {
    const results = await Promise.all(
      [...this.links.values()].map((l) => probeServer(l, this.config.lockName)),
    );
    return new Map(results.map((r) => [r.server, r]));
  }

  /** A view from fresh probes, without advancing health (used right before acting). */
  private async freshView(): Promise<PlanView> {
    const probes = await this.probeAll();
    const step = checkStep(this.config.servers, this.config, { ...this.state }, probes, Date.now());
    return { ...step.view, health: this.state.health.size > 0 ? this.state.health : step.view.health };
  }

  private runContext(): RunContext {
    return {
      links: this.links,
      servers: this.config.servers,
      replication: this.config.replication,
      catchUpTimeoutMs: this.config.catchUpTimeoutMs,
      connectRetrySeconds: this.config.replicaConnectRetrySeconds,
      reprobe: () => this.freshView(),
      log: (message, fields) => this.log.info(fields ?? {}, message),
    };
  }

  private afterPromotion(result: Extract<RunResult, { kind: "done" }>): void {
    this.failoverBlocked = null;
    this.promotion = {
      primary: result.newPrimary,
      oldPrimary: result.oldPrimary,
      position: gtidOrEmpty(result.gtid),
    };
    // The promoted server is the primary from now on, even before probes confirm it.
    this.state = {
      ...this.state,
      roles: { primary: result.newPrimary, roles: this.state.roles?.roles ?? new Map() },
    };
    this.refusedRejoins = new Set();
  }

  private async doFailover(view: PlanView): Promise<{ result: RunResult; events: MonitorEvent[] }> {
    const started = Date.now();
    const result = await runFailover(this.runContext(), view).catch((error) => failed(view, error));
    if (result.kind === "done") {
      this.afterPromotion(result);
      const durationMs = Date.now() - started;
      return {
        result,
        events: [
          {
            kind: "failover",
            oldPrimary: result.oldPrimary,
            newPrimary: result.newPrimary,
            gtid: result.gtid,
            durationMs,
          },
          { kind: "new_primary", server: result.newPrimary, previous: result.oldPrimary },
        ],
      };
    }
    this.backoffUntil = Date.now() + this.config.failoverBackoffMs;
    this.failoverBlocked = result.reason;
    return {
      result,
      events: [{ kind: "failover_failed", oldPrimary: result.oldPrimary, reason: result.reason }],
    };
  }

  private async check(carried: readonly MonitorEvent[] = []): Promise<Topology> {
    const started = Date.now();
    const probes = await this.probeAll();
    const now = Date.now();
    const step = checkStep(this.config.servers, this.config, this.state, probes, now);
    this.state = step.state;
    const events: MonitorEvent[] = [...carried, ...step.events];
    const problems: string[] = [];

    const wasLeader = this.lock.leader;
    this.lock = await updateLocks(
      this.links,
      probes,
      this.config.lockName,
      this.lock,
      this.random(),
      this.config.cooperative,
    );
    if (this.lock.leader !== wasLeader)
      events.push({ kind: this.lock.leader ? "leader_acquired" : "leader_lost" });

    if (this.lock.leader) {
      const decision = decideFailover(step.view, {
        mode: this.config.failover,
        failAfter: this.config.failAfter,
        verifyPrimaryFailure: this.config.verifyPrimaryFailure,
        leader: true,
        backoffUntil: this.backoffUntil,
        now,
      });
      if (decision.kind === "go") {
        const { events: fo } = await this.doFailover(step.view);
        // Publish what the cluster looks like after the failover, not before.
        return this.check([...events, ...fo]);
      }
      if (decision.kind === "wait") {
        const blocked = this.failoverBlocked === null ? "" : ` (last attempt: ${this.failoverBlocked})`;
        problems.push(`failover pending: ${decision.reason}${blocked}`);
      }
      const primary = step.view.primary;
      if (decision.kind === "no" && this.config.failover !== "auto" && primary !== null) {
        if (step.view.health.get(primary)?.health === "down") {
          problems.push(
            `primary ${primary} is down and failover is ${this.config.failover}: fail over by hand`,
          );
        }
      }
      const repairs = planRepairs(step.view, {
        enforceReadOnlyReplicas: this.config.enforceReadOnlyReplicas,
        promotion: this.promotion,
      }).filter((a) => !(a.kind === "refuse_rejoin" && !a.fence && this.refusedRejoins.has(a.server)));
      if (repairs.length > 0) {
        const outcome = await runRepairs(this.runContext(), step.view, repairs);
        for (const a of repairs) if (a.kind === "refuse_rejoin") this.refusedRejoins.add(a.server);
        events.push(...outcome.events);
        problems.push(...outcome.problems);
      }
    }
    // a primary that answers again (or is gone from the view) has nothing blocked any more
    const primaryNow = step.view.primary;
    if (primaryNow === null || step.view.health.get(primaryNow)?.health !== "down")
      this.failoverBlocked = null;
    this.problems = problems;
    this.roleProblems = step.roles.problems;
    this.last = { probes, lags: step.lags };
    this.counters.checks++;
    this.counters.lastCheckMs = Date.now() - started;
    this.counters.probeFailures += [...probes.values()].filter((p) => p.kind === "unreachable").length;
    return this.publish(events);
  }

  private setAdminState(server: string, admin: AdminState): Topology | null {
    const prev = this.state.health.get(server);
    if (prev === undefined) {
      if (!this.config.servers.some((s) => s.name === server)) throw new Error(`unknown server "${server}"`);
    }
    const t = setAdmin(server, prev ?? initialHealth, admin);
    const health = new Map(this.state.health);
    health.set(server, t.next);
    this.state = { ...this.state, health };
    return this.last === null ? null : this.publish([...t.events]);
  }

  private publish(events: readonly MonitorEvent[]): Topology {
    const roles = this.state.roles;
    const topology = buildTopology({
      seq: ++this.seq,
      at: Date.now(),
      servers: this.config.servers,
      probes: this.last?.probes ?? new Map(),
      health: this.state.health,
      roles: {
        primary: roles?.primary ?? null,
        roles: roles?.roles ?? new Map(),
        problems: [],
      },
      lags: this.last?.lags ?? new Map(),
      leader: this.lock.leader,
      extraProblems: [...this.roleProblems, ...this.problems],
      failoverBlocked: this.failoverBlocked,
      switchover: this.switching,
    });
    this.current = topology;
    recordEvents(this.counters, events);
    for (const e of events) this.logEvent(e);
    this.runHooks(events);
    for (const l of this.listeners) {
      try {
        l(topology, events);
      } catch (error) {
        this.log.error({ err: error }, "topology listener threw");
      }
    }
    return topology;
  }

  private logEvent(e: MonitorEvent): void {
    const level =
      e.kind.endsWith("_failed") || e.kind === "server_down" || e.kind === "rejoin_refused" ? "warn" : "info";
    this.log[level]({ event: e }, `monitor: ${e.kind}`);
  }

  private runHooks(events: readonly MonitorEvent[]): void {
    for (const e of events) {
      for (const hook of this.config.hooks) {
        if (!hookMatches(hook, e)) continue;
        const inv = hookInvocation(hook, e, Date.now());
        this.counters.hookRuns++;
        const p = runHook(inv, hook.timeoutMs).then((r) => {
          const ok = r.exitCode === 0 && !r.timedOut && r.error === null;
          if (!ok) this.counters.hookFailures++;
          this.log[ok ? "info" : "warn"](
            { hook: inv.file, event: e.kind, ...r },
            `monitor hook ${ok ? "ran" : "failed"}`,
          );
        });
        this.pendingHooks.add(p);
        void p.finally(() => this.pendingHooks.delete(p));
      }
    }
  }
}
