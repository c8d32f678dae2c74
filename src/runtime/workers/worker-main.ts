/**
 * A worker process of `sluice serve --workers N`: a SluiceRuntime without monitor, admin or HTTP,
 * its proxy listening on the port it shares with the other workers. It does what the primary
 * process asks over IPC and nothing on its own: signals are the primary's to handle (a Ctrl-C
 * reaches the whole process group).
 */
import { formatConfigDiagnostic, type SluiceConfig } from "../../config/index.js";
import type { LoggingConfig } from "../../config/types.js";
import type { RootLogger } from "../../log/logger.js";
import type { Topology } from "../../monitor/types.js";
import { type ActivePolicy, compileActivePolicy } from "../active-policy.js";
import { parseConfigText } from "../runtime-sources.js";
import { SluiceRuntime } from "../sluice-runtime.js";
import {
  type FromWorker,
  isToWorker,
  type RuntimeTexts,
  type ToWorker,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSnapshot,
} from "./messages.js";
import { workerProxyOptions } from "./worker-share.js";

type Loaded = { readonly config: SluiceConfig; readonly policy: ActivePolicy };

/**
 * Runs until the primary says drain (or disappears); returns the exit code. `openLog` opens the
 * worker's own log as the config the primary sent says (the same file as the primary's, if any).
 */
export async function runWorker(openLog: (logging: LoggingConfig) => RootLogger): Promise<number> {
  const send = (m: FromWorker) => {
    if (process.connected) process.send?.(m);
  };
  // the primary coordinates shutdown and reload; a Ctrl-C reaching the whole process group
  // must not take workers down under it
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR2"] as const) process.on(signal, () => {});

  const start = await new Promise<Extract<ToWorker, { kind: "start" }>>((resolve) => {
    const onMessage = (m: unknown) => {
      if (isToWorker(m) && m.kind === "start") {
        process.off("message", onMessage);
        resolve(m);
      }
    };
    process.on("message", onMessage);
    send({ kind: "hello" });
  });
  const { placement } = start;
  const first = loadTexts(start.texts);
  if (first.kind === "error") {
    send({ kind: "start_failed", report: first.report });
    return 1;
  }
  const root = openLog(first.loaded.config.logging);
  const wlog = root.logger.child({ worker: placement.slot });
  let topology: Topology | null = start.topology;
  const started = await SluiceRuntime.start(start.texts.config.source, wlog, {
    loaded: { kind: "ok", ...first.loaded, warnings: "" },
    topology: () => topology,
    proxyOptions: (fromConfig) => workerProxyOptions(fromConfig, placement),
  }).catch((e: unknown) => ({
    kind: "invalid" as const,
    report: e instanceof Error ? e.message : String(e),
  }));
  if (started.kind === "invalid") {
    send({ kind: "start_failed", report: started.report });
    root.flush();
    return 1;
  }
  const runtime = started.runtime;
  const prepared = new Map<number, Loaded>();

  const answer = async (request: WorkerRequest): Promise<WorkerReply> => {
    switch (request.kind) {
      case "prepare": {
        const next = loadTexts(request.texts);
        if (next.kind === "error") return { kind: "prepare_failed", report: next.report };
        prepared.clear(); // only the latest reload can be committed
        prepared.set(request.texts.generation, next.loaded);
        return { kind: "prepared", version: next.loaded.policy.version, hash: next.loaded.policy.hash };
      }
      case "commit": {
        const next = prepared.get(request.generation);
        prepared.clear();
        if (next !== undefined) runtime.adopt(next.config, next.policy);
        else wlog.error({ generation: request.generation }, "commit of a reload this worker did not prepare");
        return { kind: "committed", version: runtime.policy.version, hash: runtime.policy.hash };
      }
      case "snapshot":
        return { kind: "snapshot", snapshot: snapshotOf(runtime, placement.slot, request) };
      case "kill":
        return {
          kind: "killed",
          outcome: await runtime.actions().killSession(request.session, request.scope),
        };
      case "reopen":
        root.reopen();
        runtime.reopenLogs();
        return { kind: "reopened" };
    }
  };

  let stopping = false;
  const drain = async (): Promise<number> => {
    wlog.info("worker draining");
    await runtime.shutdown();
    root.flush();
    send({ kind: "stopped" });
    return 0;
  };

  return new Promise<number>((resolve) => {
    process.on("message", (m: unknown) => {
      if (!isToWorker(m)) return;
      switch (m.kind) {
        case "topology":
          topology = m.topology;
          return;
        case "request":
          void answer(m.request).then(
            (reply) => send({ kind: "reply", id: m.id, reply }),
            (e: unknown) => wlog.error({ err: e }, "worker request failed"),
          );
          return;
        case "abort":
          prepared.delete(m.generation);
          return;
        case "drain":
          if (!stopping) void drain().then(resolve);
          stopping = true;
          return;
        case "start":
          return;
      }
    });
    // (should the primary die, node:cluster ends the worker at once when the IPC channel closes)
    send({ kind: "ready", pid: process.pid, version: runtime.policy.version, hash: runtime.policy.hash });
  });
}

function loadTexts(
  texts: RuntimeTexts,
): { readonly kind: "ok"; readonly loaded: Loaded } | { readonly kind: "error"; readonly report: string } {
  const config = parseConfigText(texts.config);
  if (config.kind === "invalid")
    return { kind: "error", report: config.diagnostics.map(formatConfigDiagnostic).join("\n\n") };
  const policy = compileActivePolicy(texts.policy, texts.generation);
  if (policy.kind === "error") return { kind: "error", report: policy.report };
  return { kind: "ok", loaded: { config: config.config, policy: policy.policy } };
}

function snapshotOf(
  runtime: SluiceRuntime,
  slot: number,
  wanted: { readonly admin: boolean; readonly metrics: boolean },
): WorkerSnapshot {
  let admin: WorkerSnapshot["admin"] = null;
  if (wanted.admin) {
    const { digests: _stats, policy: _policy, workers: _workers, ...rest } = runtime.snapshot();
    admin = { ...rest, digests: runtime.digests.exportEntries() };
  }
  return {
    slot,
    pid: process.pid,
    policy: { version: runtime.policy.version, hash: runtime.policy.hash },
    clients: {
      open: runtime.proxy.counters.activeSessions,
      accepted: runtime.proxy.counters.clientsAccepted,
    },
    admin,
    metrics: wanted.metrics ? runtime.metrics.registry.collect() : null,
  };
}
