import { describe, expect, it } from "vitest";
import type { AdminPool, AdminServer, AdminSession } from "../../../src/admin/admin-snapshot.js";
import { DigestTable } from "../../../src/admin/digests.js";
import type { ServerConfig } from "../../../src/config/index.js";
import type { ServerState, ServerStatus, Topology } from "../../../src/monitor/types.js";
import {
  mergeAdminSnapshots,
  type PrimaryView,
  type WorkerAnswer,
  workerFamilies,
} from "../../../src/runtime/workers/merge-snapshots.js";
import type { WorkerSnapshot } from "../../../src/runtime/workers/messages.js";
import type { WorkerStatus } from "../../../src/runtime/workers/worker-processes.js";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const server = (name: string, port: number): ServerConfig => ({
  name,
  host: "127.0.0.1",
  port,
  role: "auto",
  weight: 1,
  tls: { mode: "disabled" },
});
const status0 = (
  name: string,
  role: "primary" | "replica",
  state: ServerState,
  lagSeconds: number | null,
): ServerStatus => ({
  name,
  host: "127.0.0.1",
  port: 1,
  role,
  state,
  health: "up",
  admin: state === "maintenance" ? "maintenance" : "online",
  acceptsReads: state === "up",
  acceptsWrites: role === "primary",
  readOnly: role === "replica",
  lagSeconds,
  replicatesFrom: role === "replica" ? "db1" : null,
  gtidCurrentPos: null,
  version: null,
  lastError: null,
});
const topology: Topology = {
  seq: 7,
  at: NOW,
  primary: "db1",
  leader: true,
  problems: [],
  servers: [status0("db1", "primary", "up", null), status0("db2", "replica", "maintenance", 3)],
};

/** A worker's row of a server: what it says of the state is ignored, its connections count. */
const row = (name: string, busy: number, idle: number): AdminServer => ({
  name,
  host: "127.0.0.1",
  port: 1,
  role: "unknown",
  state: "down",
  lagSeconds: null,
  weight: 1,
  connectionsBusy: busy,
  connectionsIdle: idle,
  lastError: null,
});
const pool = (server: string, open: number, pools: string[]): AdminPool => ({
  server,
  user: "app",
  pools,
  open,
  idle: open - 1,
  leased: 1,
  opening: 0,
  waiting: 0,
  max: 50,
  openedTotal: open,
  closedTotal: 0,
  waitsTotal: 2,
  waitTimeouts: 1,
});
const session = (id: number): AdminSession => ({
  id,
  user: "app",
  client: `127.0.0.1:${40000 + id}`,
  listener: "main",
  schema: "shop",
  state: "idle",
  inTransaction: false,
  backend: null,
  pins: [],
  statements: id,
  connectedAt: NOW - 1000,
  lastActivity: NOW - 10,
  statement: null,
  statementStartedAt: null,
});
function digests(count: number, latencyMs: number) {
  const t = new DigestTable(10);
  for (let i = 0; i < count; i++)
    t.record({
      fingerprint: "aa",
      digest: "SELECT * FROM t WHERE id = ?",
      latencyMs,
      rows: 1,
      error: false,
      pool: "replicas",
      at: NOW - 100 + i,
    });
  return t.exportEntries();
}
function answer(
  slot: number,
  parts: { sessions: number[]; hits: number; busy: number; digests: number; ms: number },
) {
  const snapshot: WorkerSnapshot = {
    slot,
    pid: 100 + slot,
    policy: { version: "v1", hash: "h1" },
    clients: { open: parts.sessions.length, accepted: parts.sessions.length },
    admin: {
      now: NOW,
      servers: [row("db1", parts.busy, 1), row("db2", 0, 2)],
      pools: [pool("db1", 3, ["primary"]), pool("db2", 2, [slot === 1 ? "replicas" : "reports"])],
      sessions: parts.sessions.map(session),
      rules: [
        { position: 1, name: "writes", action: "route", hits: parts.hits },
        { position: 2, name: "reads", action: "route", hits: 2 * parts.hits },
      ],
      digests: digests(parts.digests, parts.ms),
    },
    metrics: null,
  };
  return { slot, snapshot };
}
const status = (slot: number, state: WorkerStatus["state"] = "serving"): WorkerStatus => ({
  slot,
  pid: 100 + slot,
  state,
  restarts: slot === 2 ? 1 : 0,
  startedAt: NOW - 5000,
  lastError: null,
});
const view = (workers: WorkerStatus[]): PrimaryView => ({
  now: NOW,
  servers: [server("db1", 3306), server("db2", 3307)],
  topology,
  policy: { version: "v1", hash: "h1", loadedAt: NOW, files: ["a.policy"], source: "version 1" },
  maxDigests: 100,
  workers,
});

describe("mergeAdminSnapshots", () => {
  const answers: WorkerAnswer[] = [
    answer(1, { sessions: [1, 3], hits: 5, busy: 2, digests: 3, ms: 1 }),
    answer(2, { sessions: [2], hits: 7, busy: 4, digests: 2, ms: 9 }),
  ];
  const merged = mergeAdminSnapshots(view([status(1), status(2)]), answers);

  it("takes servers' state from the primary's monitor and adds the workers' connections", () => {
    expect(
      merged.servers.map((s) => [
        s.name,
        s.role,
        s.state,
        s.lagSeconds,
        s.connectionsBusy,
        s.connectionsIdle,
      ]),
    ).toEqual([
      ["db1", "primary", "up", null, 6, 2],
      ["db2", "replica", "maintenance", 3, 0, 4],
    ]);
  });

  it("lists every worker's sessions, adds up pools and rule hits (positions stay)", () => {
    expect(merged.sessions.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(merged.rules.map((r) => [r.position, r.name, r.hits])).toEqual([
      [1, "writes", 12],
      [2, "reads", 24],
    ]);
    const db1 = merged.pools.find((p) => p.server === "db1");
    expect(db1).toMatchObject({
      open: 6,
      idle: 4,
      leased: 2,
      max: 100,
      waitsTotal: 4,
      waitTimeouts: 2,
      pools: ["primary"],
    });
    expect(merged.pools.find((p) => p.server === "db2")?.pools).toEqual(["replicas", "reports"]);
  });

  it("merges digests across workers", () => {
    expect(merged.digests).toHaveLength(1);
    expect(merged.digests[0]).toMatchObject({ count: 5, minMs: 1, maxMs: 9, totalMs: 3 * 1 + 2 * 9 });
    expect(merged.policy?.version).toBe("v1");
  });

  it("reports a worker that did not answer instead of waiting for it, and leaves its figures out", () => {
    const partial = mergeAdminSnapshots(view([status(1), status(2)]), [
      answers[0] ?? answer(1, { sessions: [], hits: 0, busy: 0, digests: 0, ms: 0 }),
      { slot: 2, snapshot: null },
    ]);
    expect(partial.workers?.map((w) => [w.worker, w.state, w.clients, w.policyVersion])).toEqual([
      [1, "serving", 2, "v1"],
      [2, "not answering", null, null],
    ]);
    expect(partial.workers?.[1]?.lastError).toMatch(/did not answer/);
    expect(partial.sessions.map((s) => s.id)).toEqual([1, 3]);
    expect(partial.rules.map((r) => r.hits)).toEqual([5, 10]);
    const restarting = mergeAdminSnapshots(view([status(1), status(2, "restarting")]), [
      answers[0] ?? answer(1, { sessions: [], hits: 0, busy: 0, digests: 0, ms: 0 }),
      { slot: 2, snapshot: null },
    ]);
    expect(restarting.workers?.[1]?.state).toBe("restarting");
  });

  it("gives /metrics one series per worker: up, clients and restarts", () => {
    const families = workerFamilies(
      [status(1), status(2)],
      [answers[0] ?? { slot: 1, snapshot: null }, { slot: 2, snapshot: null }],
    );
    const samples = (name: string) =>
      families.flatMap((f) =>
        f.name === name && f.kind !== "histogram" ? f.samples.map((s) => [s.labels.worker, s.value]) : [],
      );
    expect(samples("sluice_worker_up")).toEqual([
      ["1", 1],
      ["2", 0],
    ]);
    expect(samples("sluice_worker_client_connections")).toEqual([["1", 2]]);
    expect(samples("sluice_worker_restarts_total")).toEqual([
      ["1", 0],
      ["2", 1],
    ]);
  });
});
