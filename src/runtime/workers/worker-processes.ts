/**
 * The primary process's side of the workers: forks them (node:cluster), restarts one that dies,
 * sends requests and waits for answers with a deadline (a worker that does not answer is
 * reported as such, never waited on forever), and drains them all on shutdown.
 */
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import {
  type FromWorker,
  isFromWorker,
  type ToWorker,
  type WorkerPlacement,
  type WorkerReply,
  type WorkerRequest,
} from "./messages.js";

export type WorkerState = "starting" | "serving" | "restarting" | "stopping";

/** What the primary knows of one worker slot (SHOW WORKERS shows it). */
export interface WorkerStatus {
  readonly slot: number;
  readonly pid: number | null;
  readonly state: WorkerState;
  readonly restarts: number;
  readonly startedAt: number | null;
  readonly lastError: string | null;
}

export type StartOutcome = { readonly kind: "ok" } | { readonly kind: "failed"; readonly report: string };

export interface WorkerProcessesOptions {
  readonly count: number;
  /** the "start" message for a worker being (re)started: the current texts and topology */
  startMessage(placement: WorkerPlacement): ToWorker;
  /** a worker serves (first start or restart): the primary checks it runs the current policy */
  onServing(slot: number, policy: { readonly version: string; readonly hash: string }): void;
  readonly log: Logger;
}

interface Slot {
  readonly slot: number;
  worker: Worker | null;
  state: WorkerState;
  restarts: number;
  startedAt: number | null;
  lastError: string | null;
  /** deaths in a row soon after starting: the restart waits longer each time */
  quickDeaths: number;
  restartTimer: NodeJS.Timeout | null;
  /** settles the start in progress (ready, failed or died) */
  started: ((outcome: StartOutcome) => void) | null;
}

/** A worker that lived less than this before dying counts towards the restart back-off. */
const QUICK_DEATH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** From fork to serving; compiling the policy and reaching the primary server take well under this. */
const START_TIMEOUT_MS = 120_000;

export class WorkerProcesses {
  private readonly slots: Slot[];
  private readonly waiting = new Map<
    number,
    { readonly worker: Worker; readonly settle: (reply: WorkerReply | null) => void }
  >();
  private nextRequest = 1;
  private stopping = false;
  /** off until every worker has started once: a worker failing at start fails `sluice serve` */
  private restartDead = false;
  private readonly exited = new Set<() => void>();

  constructor(private readonly options: WorkerProcessesOptions) {
    this.slots = Array.from({ length: options.count }, (_, i) => ({
      slot: i + 1,
      worker: null,
      state: "restarting" as WorkerState,
      restarts: 0,
      startedAt: null,
      lastError: null,
      quickDeaths: 0,
      restartTimer: null,
      started: null,
    }));
    // Round robin: the primary accepts and hands connections out in turn. Left to the kernel
    // (SCHED_NONE), Linux tends to give most clients to one worker.
    cluster.schedulingPolicy = cluster.SCHED_RR;
    // structured clone, not JSON: digest minima may be Infinity, and nothing is lost on the way
    cluster.setupPrimary({ serialization: "advanced" });
    cluster.on("exit", (worker, code, signal) => this.onExit(worker, code, signal));
  }

  get count(): number {
    return this.slots.length;
  }

  /** Forks every worker and waits until each serves; any that fails makes the start fail. */
  async startAll(): Promise<StartOutcome> {
    const outcomes = await Promise.all(this.slots.map((s) => this.fork(s)));
    const failed = outcomes.flatMap((o, i) => (o.kind === "failed" ? [`worker ${i + 1}: ${o.report}`] : []));
    if (failed.length > 0) return { kind: "failed", report: failed.join("\n\n") };
    this.restartDead = true;
    return { kind: "ok" };
  }

  list(): WorkerStatus[] {
    return this.slots.map((s) => ({
      slot: s.slot,
      pid: s.worker?.process.pid ?? null,
      state: s.state,
      restarts: s.restarts,
      startedAt: s.startedAt,
      lastError: s.lastError,
    }));
  }

  /** To every worker that has a process (starting ones too: topology updates). */
  broadcast(message: ToWorker): void {
    for (const s of this.slots) if (s.worker !== null) sendTo(s.worker, message);
  }

  /** Asks one serving worker; null when it is not serving, dies, or does not answer in time. */
  request(slot: number, request: WorkerRequest, timeoutMs: number): Promise<WorkerReply | null> {
    const s = this.slots[slot - 1];
    const worker = s?.worker;
    if (s === undefined || worker === null || worker === undefined || s.state !== "serving")
      return Promise.resolve(null);
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), timeoutMs);
      const settle = (reply: WorkerReply | null) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(reply);
      };
      this.waiting.set(id, { worker, settle });
      if (!sendTo(worker, { kind: "request", id, request })) settle(null);
    });
  }

  /** Asks every worker at once; one entry per slot, null for those that did not answer. */
  requestAll(
    request: WorkerRequest,
    timeoutMs: number,
  ): Promise<{ readonly slot: number; readonly reply: WorkerReply | null }[]> {
    return Promise.all(
      this.slots.map(async (s) => ({ slot: s.slot, reply: await this.request(s.slot, request, timeoutMs) })),
    );
  }

  /**
   * Graceful stop: every worker stops accepting and drains (each waits for its own open
   * transactions, up to the configured drain time); after `deadlineMs` the stragglers are killed.
   */
  async stopAll(deadlineMs: number): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) {
      if (s.restartTimer !== null) clearTimeout(s.restartTimer);
      s.restartTimer = null;
      s.state = "stopping";
    }
    const alive = () => this.slots.filter((s) => s.worker !== null);
    if (alive().length === 0) return;
    const allGone = new Promise<void>((resolve) => {
      const check = () => {
        if (alive().length > 0) return;
        this.exited.delete(check);
        resolve();
      };
      this.exited.add(check);
    });
    this.broadcast({ kind: "drain" });
    const timer = setTimeout(() => {
      for (const s of alive()) {
        this.options.log.warn(
          { worker: s.slot, pid: s.worker?.process.pid },
          "worker did not stop in time: killed",
        );
        s.worker?.process.kill("SIGKILL");
      }
    }, deadlineMs);
    await allGone;
    clearTimeout(timer);
  }

  private fork(s: Slot): Promise<StartOutcome> {
    const worker = cluster.fork();
    s.worker = worker;
    s.state = "starting";
    s.startedAt = Date.now();
    worker.on("message", (m: unknown) => {
      if (isFromWorker(m)) this.onMessage(s, worker, m);
    });
    // an IPC error (the worker vanished mid-send) ends in "exit"; nothing else to do here
    worker.on("error", () => {});
    // a worker stuck starting is killed; its exit then fails the start or restarts it
    const stuck = setTimeout(() => {
      this.options.log.error(
        { worker: s.slot, pid: worker.process.pid },
        "worker did not start in time: killed",
      );
      worker.process.kill("SIGKILL");
    }, START_TIMEOUT_MS);
    return new Promise((resolve) => {
      s.started = (outcome) => {
        clearTimeout(stuck);
        resolve(outcome);
      };
    });
  }

  private onMessage(s: Slot, worker: Worker, m: FromWorker): void {
    if (s.worker !== worker) return; // a previous process of this slot
    switch (m.kind) {
      case "hello":
        // stopping already: it has no clients yet, and before "start" it obeys nothing else
        if (this.stopping) worker.process.kill("SIGKILL");
        else sendTo(worker, this.options.startMessage({ slot: s.slot, workers: this.slots.length }));
        return;
      case "ready":
        if (this.stopping) {
          sendTo(worker, { kind: "drain" });
          return;
        }
        s.state = "serving";
        this.settleStart(s, { kind: "ok" });
        this.options.log.info({ worker: s.slot, pid: m.pid, policy: m.version }, "worker serving");
        this.options.onServing(s.slot, { version: m.version, hash: m.hash });
        return;
      case "start_failed":
        s.lastError = `start failed: ${m.report}`;
        this.options.log.error({ worker: s.slot, report: m.report }, "worker could not start");
        this.settleStart(s, { kind: "failed", report: m.report });
        return;
      case "reply": {
        const w = this.waiting.get(m.id);
        if (w !== undefined && w.worker === worker) w.settle(m.reply);
        return;
      }
      case "stopped":
        return;
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const s = this.slots.find((x) => x.worker === worker);
    if (s === undefined) return;
    s.worker = null;
    for (const w of [...this.waiting.values()]) if (w.worker === worker) w.settle(null);
    const how = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
    this.settleStart(s, { kind: "failed", report: `${how} before serving` });
    for (const check of [...this.exited]) check();
    if (this.stopping || !this.restartDead) {
      s.state = this.stopping ? "stopping" : "restarting";
      s.lastError ??= `pid ${worker.process.pid} ${how}`;
      return;
    }
    const lived = Date.now() - (s.startedAt ?? 0);
    s.quickDeaths = lived < QUICK_DEATH_MS ? s.quickDeaths + 1 : 0;
    const delay = s.quickDeaths <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** (s.quickDeaths - 2));
    s.restarts += 1;
    s.lastError = `pid ${worker.process.pid} ${how}`;
    s.state = "restarting";
    this.options.log.warn(
      { worker: s.slot, pid: worker.process.pid, code, signal, restartInMs: delay },
      "worker died; its clients lost their connections; restarting it",
    );
    s.restartTimer = setTimeout(() => {
      s.restartTimer = null;
      if (!this.stopping) void this.fork(s);
    }, delay);
  }

  private settleStart(s: Slot, outcome: StartOutcome): void {
    const settle = s.started;
    s.started = null;
    settle?.(outcome);
  }
}

/** false when the channel is already closed (the worker is exiting). */
function sendTo(worker: Worker, message: ToWorker): boolean {
  if (!worker.isConnected()) return false;
  try {
    // send() returning false only means a backlog: the message is still queued
    worker.send(message);
    return true;
  } catch {
    return false;
  }
}
