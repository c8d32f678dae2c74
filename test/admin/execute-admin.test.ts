import { describe, expect, it } from "vitest";
import type { AdminActions, AdminSnapshot } from "../../src/admin/admin-snapshot.js";
import { DigestTable } from "../../src/admin/digests.js";
import { executeAdmin, runAdminStatement } from "../../src/admin/execute-admin.js";
import { parseAdminCommand } from "../../src/admin/sql-commands.js";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function snapshot(): AdminSnapshot {
  const digests = new DigestTable(100);
  for (let i = 0; i < 4; i++)
    digests.record({
      fingerprint: "aa",
      digest: "SELECT * FROM t WHERE id = ?",
      latencyMs: 1 + i,
      rows: 1,
      error: false,
      pool: "reads",
      at: NOW - 1000 + i,
    });
  digests.record({
    fingerprint: "bb",
    digest: "UPDATE t SET x = ? WHERE id = ?",
    latencyMs: 20,
    rows: 0,
    error: true,
    pool: "writes",
    at: NOW,
  });
  return {
    now: NOW,
    servers: [
      {
        name: "db1",
        host: "10.0.0.1",
        port: 3306,
        role: "primary",
        state: "up",
        lagSeconds: null,
        weight: 1,
        connectionsBusy: 2,
        connectionsIdle: 3,
        lastError: null,
      },
      {
        name: "db2",
        host: "10.0.0.2",
        port: 3306,
        role: "replica",
        state: "lagging",
        lagSeconds: 12,
        weight: 1,
        connectionsBusy: 0,
        connectionsIdle: 4,
        lastError: null,
      },
      {
        name: "db3",
        host: "10.0.0.3",
        port: 3306,
        role: "replica",
        state: "down",
        lagSeconds: null,
        weight: 2,
        connectionsBusy: 0,
        connectionsIdle: 0,
        lastError: "connect ECONNREFUSED",
      },
    ],
    pools: [
      {
        server: "db2",
        user: "app",
        pools: ["replicas"],
        open: 5,
        idle: 4,
        leased: 1,
        opening: 0,
        waiting: 0,
        max: 100,
        openedTotal: 9,
        closedTotal: 4,
        waitsTotal: 7,
        waitTimeouts: 1,
      },
      {
        server: "db1",
        user: "app",
        pools: ["primary", "replicas"],
        open: 2,
        idle: 0,
        leased: 2,
        opening: 1,
        waiting: 3,
        max: 100,
        openedTotal: 2,
        closedTotal: 0,
        waitsTotal: 3,
        waitTimeouts: 0,
      },
    ],
    sessions: [
      {
        id: 9,
        user: "app",
        client: "127.0.0.1:50001",
        listener: "main",
        schema: null,
        state: "running",
        inTransaction: false,
        backend: { server: "db2", threadId: 88 },
        pins: [],
        statements: 1,
        connectedAt: NOW - 1_000,
        lastActivity: NOW - 250,
        statement: "SELECT SLEEP(?)",
        statementStartedAt: NOW - 250,
      },
      {
        id: 7,
        user: "app",
        client: "127.0.0.1:50000",
        listener: "main",
        schema: "shop",
        state: "in transaction",
        inTransaction: true,
        backend: { server: "db1", threadId: 1234 },
        pins: ["named_lock", "temporary_table"],
        statements: 12,
        connectedAt: NOW - 65_000,
        lastActivity: NOW - 2_500,
        statement: null,
        statementStartedAt: null,
      },
    ],
    rules: [
      { position: 2, name: "reads", action: "route reads", hits: 40 },
      { position: 1, name: "writes", action: "route primary", hits: 9 },
    ],
    digests: digests.all(),
    policy: {
      version: "3",
      hash: "sha256:abcd",
      loadedAt: NOW - 60_000,
      files: ["/etc/sluice/main.policy"],
      source: "rule writes { … }",
    },
  };
}

function run(text: string) {
  const p = parseAdminCommand(text);
  if (p.kind === "error") throw new Error(p.message);
  return executeAdmin(p.command, snapshot());
}

describe("executeAdmin", () => {
  it("SHOW SERVERS lists each server with its state and connections", () => {
    expect(run("SHOW SERVERS")).toEqual({
      kind: "rows",
      columns: [
        "name",
        "host",
        "port",
        "role",
        "state",
        "lag_seconds",
        "weight",
        "busy",
        "idle",
        "last_error",
      ],
      rows: [
        ["db1", "10.0.0.1", 3306, "primary", "up", null, 1, 2, 3, null],
        ["db2", "10.0.0.2", 3306, "replica", "lagging", 12, 1, 0, 4, null],
        ["db3", "10.0.0.3", 3306, "replica", "down", null, 2, 0, 0, "connect ECONNREFUSED"],
      ],
    });
  });

  it("SHOW SESSIONS lists sessions by id with state, backend, pins and the running statement", () => {
    const r = run("SHOW SESSIONS");
    expect(r.kind === "rows" && r.columns).toEqual([
      "id",
      "user",
      "client",
      "listener",
      "db",
      "state",
      "in_transaction",
      "backend",
      "backend_thread",
      "pins",
      "statements",
      "connected_since",
      "idle_seconds",
      "statement",
      "statement_ms",
    ]);
    expect(r.kind === "rows" && r.rows).toEqual([
      [
        7,
        "app",
        "127.0.0.1:50000",
        "main",
        "shop",
        "in transaction",
        "yes",
        "db1",
        1234,
        "named_lock,temporary_table",
        12,
        "2026-01-02T03:03:00.000Z",
        2,
        null,
        null,
      ],
      [
        9,
        "app",
        "127.0.0.1:50001",
        "main",
        null,
        "running",
        "no",
        "db2",
        88,
        "",
        1,
        "2026-01-02T03:04:04.000Z",
        null,
        "SELECT SLEEP(?)",
        250,
      ],
    ]);
  });

  it("SHOW RULES lists rules in policy order with hit counts", () => {
    const r = run("SHOW RULES");
    expect(r.kind === "rows" && r.rows).toEqual([
      [1, "writes", "route primary", 9],
      [2, "reads", "route reads", 40],
    ]);
  });

  it("SHOW DIGESTS orders and limits, with figures from the digest table", () => {
    const r = run("SHOW DIGESTS ORDER BY count DESC LIMIT 1");
    expect(r.kind === "rows" && r.rows).toEqual([
      [
        "aa",
        "SELECT * FROM t WHERE id = ?",
        4,
        10,
        2.5,
        1,
        4,
        4,
        4,
        0,
        "2026-01-02T03:04:04.000Z",
        "2026-01-02T03:04:04.003Z",
        "reads",
      ],
    ]);
    const byTotal = run("SHOW DIGESTS");
    expect(byTotal.kind === "rows" && byTotal.rows.map((row) => row[0])).toEqual(["bb", "aa"]);
  });

  it("SHOW POOLS and SHOW POLICY", () => {
    const pools = run("SHOW POOLS");
    expect(pools.kind === "rows" && pools.rows).toEqual([
      ["db1", "app", "primary,replicas", 2, 0, 2, 1, 3, 100, 2, 0, 3, 0],
      ["db2", "app", "replicas", 5, 4, 1, 0, 0, 100, 9, 4, 7, 1],
    ]);
    const policy = run("SHOW POLICY");
    expect(policy.kind === "rows" && policy.rows).toEqual([
      ["3", "sha256:abcd", "2026-01-02T03:03:05.000Z", "/etc/sluice/main.policy", "rule writes { … }"],
    ]);
    const p = parseAdminCommand("SHOW POLICY");
    if (p.kind === "ok")
      expect(executeAdmin(p.command, { ...snapshot(), policy: null })).toMatchObject({
        kind: "error",
        message: "no policy is loaded yet",
      });
  });

  it("validates changes against the snapshot before asking the runtime", () => {
    expect(run("SET SERVER db2 DRAIN")).toEqual({
      kind: "action",
      action: { kind: "set_server", server: "db2", state: "drain" },
    });
    expect(run("SET SERVER db4 DRAIN")).toEqual({
      kind: "error",
      code: 1105,
      sqlState: "HY000",
      message: 'no server named "db4" (did you mean db1?); SHOW SERVERS lists them',
    });
    expect(run("SWITCHOVER TO db1")).toMatchObject({ kind: "error", message: "db1 is already the primary" });
    expect(run("SWITCHOVER TO db3")).toMatchObject({
      kind: "error",
      message: "db3 is down; switch over to a reachable replica",
    });
    expect(run("SWITCHOVER TO db2")).toEqual({
      kind: "action",
      action: { kind: "switchover", target: "db2" },
    });
    expect(run("KILL SESSION 8")).toEqual({
      kind: "error",
      code: 1094,
      sqlState: "HY000",
      message: "no session 8 (SHOW SESSIONS lists them)",
    });
    expect(run("KILL SESSION 7")).toEqual({
      kind: "action",
      action: { kind: "kill_session", id: 7, scope: "connection" },
    });
    expect(run("KILL SESSION 7 QUERY")).toEqual({
      kind: "action",
      action: { kind: "kill_session", id: 7, scope: "query" },
    });
  });
});

describe("runAdminStatement", () => {
  const calls: string[] = [];
  const actions: AdminActions = {
    async reload() {
      calls.push("reload");
      return calls.length > 1
        ? { kind: "failed", diagnostics: ["main.policy:3:1 error P001 …"] }
        : { kind: "ok", version: "4", hash: "sha256:ef" };
    },
    async setServerState(server, state) {
      calls.push(`set ${server} ${state}`);
      return { kind: "ok", message: `${server} is now ${state}` };
    },
    async switchover(target) {
      calls.push(`switchover ${target}`);
      return { kind: "error", message: "replicas did not catch up in 30s" };
    },
    async killSession(id, scope) {
      calls.push(`kill ${id}${scope === "query" ? " query" : ""}`);
      return { kind: "ok", message: `session ${id} killed` };
    },
  };

  it("parses, checks and performs, mapping outcomes to OK or ERR", async () => {
    expect(await runAdminStatement("RELOAD", snapshot, actions)).toEqual({
      kind: "ok",
      message: "reloaded: policy version 4, hash sha256:ef",
    });
    expect(await runAdminStatement("reload;", snapshot, actions)).toMatchObject({
      kind: "error",
      message: "reload failed, the running configuration stays:\nmain.policy:3:1 error P001 …",
    });
    expect(await runAdminStatement("set server db3 maintenance", snapshot, actions)).toEqual({
      kind: "ok",
      message: "db3 is now maintenance",
    });
    expect(await runAdminStatement("SWITCHOVER TO db2", snapshot, actions)).toMatchObject({
      kind: "error",
      code: 1105,
      message: "replicas did not catch up in 30s",
    });
    expect(await runAdminStatement("KILL SESSION 7", snapshot, actions)).toEqual({
      kind: "ok",
      message: "session 7 killed",
    });
    expect(await runAdminStatement("KILL SESSION 10", snapshot, actions)).toMatchObject({
      kind: "error",
      code: 1094,
    });
    expect(await runAdminStatement("DROP TABLE x", snapshot, actions)).toMatchObject({
      kind: "error",
      code: 1064,
      sqlState: "42000",
    });
    expect(calls).toEqual(["reload", "reload", "set db3 maintenance", "switchover db2", "kill 7"]);
  });
});
