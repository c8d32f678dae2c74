/**
 * Pure: the primary's one view assembled from its own state and the workers' snapshots. Lists
 * concatenate (sessions), per-key figures add up (pools, rule hits, backend connections,
 * digests), and what exists once (servers' state, the policy) comes from the primary.
 */
import type { AdminPolicy, AdminSnapshot, AdminWorker } from "../../admin/admin-snapshot.js";
import { DigestTable } from "../../admin/digests.js";
import type { MetricFamily } from "../../admin/prometheus-text.js";
import type { ServerConfig } from "../../config/index.js";
import type { Topology } from "../../monitor/types.js";
import { adminServerRows } from "../admin-servers.js";
import type { WorkerSnapshot } from "./messages.js";
import type { WorkerStatus } from "./worker-processes.js";

export interface WorkerAnswer {
  readonly slot: number;
  /** null: not serving, or no answer within the deadline */
  readonly snapshot: WorkerSnapshot | null;
}

export interface PrimaryView {
  readonly now: number;
  readonly servers: readonly ServerConfig[];
  /** the primary's monitor's */
  readonly topology: Topology | null;
  readonly policy: AdminPolicy;
  readonly maxDigests: number;
  readonly workers: readonly WorkerStatus[];
}

export function mergeAdminSnapshots(view: PrimaryView, answers: readonly WorkerAnswer[]): AdminSnapshot {
  const parts = answers.flatMap((a) => (a.snapshot?.admin == null ? [] : [a.snapshot.admin]));
  const connections = new Map<string, { busy: number; idle: number }>();
  for (const row of parts.flatMap((p) => p.servers)) {
    const c = connections.get(row.name) ?? { busy: 0, idle: 0 };
    connections.set(row.name, { busy: c.busy + row.connectionsBusy, idle: c.idle + row.connectionsIdle });
  }
  const digests = new DigestTable(view.maxDigests);
  for (const p of parts) digests.absorb(p.digests);
  return {
    now: view.now,
    servers: adminServerRows(
      view.servers,
      view.topology,
      (name) => connections.get(name) ?? { busy: 0, idle: 0 },
    ),
    // every figure of a pool is a count (connections, waits, the limit: each worker has its share)
    pools: addUp(
      parts.flatMap((p) => p.pools),
      (p) => `${p.server}\u0000${p.user}`,
    ),
    sessions: parts.flatMap((p) => p.sessions).sort((a, b) => a.id - b.id),
    rules: addUp(
      parts.flatMap((p) => p.rules),
      (r) => r.name,
      ["hits"],
    ).sort((a, b) => a.position - b.position),
    digests: digests.all(),
    policy: view.policy,
    workers: workerRows(view.workers, answers),
  };
}

/** SHOW WORKERS: what the primary knows of each slot, with what its answer said. */
export function workerRows(
  workers: readonly WorkerStatus[],
  answers: readonly WorkerAnswer[],
): AdminWorker[] {
  return workers.map((w) => {
    const s = answers.find((a) => a.slot === w.slot)?.snapshot ?? null;
    const silent = w.state === "serving" && s === null;
    return {
      worker: w.slot,
      pid: w.pid,
      state: silent ? "not answering" : w.state,
      clients: s?.clients.open ?? null,
      policyVersion: s?.policy.version ?? null,
      policyHash: s?.policy.hash ?? null,
      restarts: w.restarts,
      startedAt: w.startedAt,
      lastError: silent ? "did not answer the primary in time" : w.lastError,
    };
  });
}

/**
 * Per-worker series the primary adds to /metrics: whether each worker answered this scrape,
 * its client connections, and how often it was restarted.
 */
export function workerFamilies(
  workers: readonly WorkerStatus[],
  answers: readonly WorkerAnswer[],
): MetricFamily[] {
  const rows = workerRows(workers, answers);
  const label = (w: AdminWorker) => ({ worker: String(w.worker) });
  return [
    {
      kind: "gauge",
      name: "sluice_worker_up",
      help: "1 when the worker answered this scrape, else 0.",
      aggregate: "max",
      samples: rows.map((w) => ({ labels: label(w), value: w.clients === null ? 0 : 1 })),
    },
    {
      kind: "gauge",
      name: "sluice_worker_client_connections",
      help: "Client connections open on each worker (absent when it did not answer).",
      aggregate: "sum",
      samples: rows.flatMap((w) => (w.clients === null ? [] : [{ labels: label(w), value: w.clients }])),
    },
    {
      kind: "counter",
      name: "sluice_worker_restarts_total",
      help: "Times the primary process restarted a worker that died.",
      aggregate: "sum",
      samples: rows.map((w) => ({ labels: label(w), value: w.restarts })),
    },
  ];
}

/**
 * Rows with the same key become one: numbers add up (only `figures` when given), lists join
 * without repeats, anything else is the first row's.
 */
function addUp<T extends object>(
  rows: readonly T[],
  key: (row: T) => string,
  figures?: readonly string[],
): T[] {
  const out = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    const prev = out.get(k);
    out.set(k, prev === undefined ? row : addRows(prev, row, figures));
  }
  return [...out.values()];
}

function addRows<T extends object>(a: T, b: T, figures: readonly string[] | undefined): T {
  const merged: Record<string, unknown> = Object.fromEntries(Object.entries(a));
  for (const [field, value] of Object.entries(b)) {
    const before = merged[field];
    if (typeof value === "number" && typeof before === "number") {
      if (figures === undefined || figures.includes(field)) merged[field] = before + value;
    } else if (Array.isArray(value) && Array.isArray(before)) {
      merged[field] = [...new Set([...before, ...value])];
    }
  }
  return merged as T;
}
