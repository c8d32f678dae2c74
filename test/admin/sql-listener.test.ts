import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminActions, AdminSnapshot } from "../../src/admin/admin-snapshot.js";
import { type AdminListener, startAdminListener } from "../../src/admin/sql-listener.js";

const run = promisify(execFile);

const snapshot: AdminSnapshot = {
  now: Date.now(),
  servers: [
    {
      name: "db1",
      host: "127.0.0.1",
      port: 3307,
      role: "primary",
      state: "up",
      lagSeconds: null,
      weight: 1,
      connectionsBusy: 2,
      connectionsIdle: 4,
      lastError: null,
    },
    {
      name: "db2",
      host: "127.0.0.1",
      port: 3308,
      role: "replica",
      state: "lagging",
      lagSeconds: 12,
      weight: 1,
      connectionsBusy: 0,
      connectionsIdle: 1,
      lastError: null,
    },
  ],
  pools: [],
  sessions: [],
  rules: [],
  digests: [],
  policy: null,
};

const performed: string[] = [];
const actions: AdminActions = {
  reload: async () => ({ kind: "ok", version: "v2", hash: "abc" }),
  setServerState: async (server, state) => {
    performed.push(`${server}:${state}`);
    return { kind: "ok", message: `${server} is now ${state}` };
  },
  switchover: async () => ({ kind: "error", message: "no monitor" }),
  killSession: async () => ({ kind: "error", message: "no such session" }),
};

let listener: AdminListener;

beforeAll(async () => {
  listener = await startAdminListener({
    port: 0,
    user: "admin",
    password: "admin-secret",
    snapshot: () => snapshot,
    actions,
    logger: pino({ level: "silent" }),
  });
});

afterAll(() => listener.close());

function cli(...args: string[]) {
  return run("mariadb", [
    "-h127.0.0.1",
    `-P${listener.port}`,
    "-uadmin",
    "-padmin-secret",
    "--batch",
    ...args,
  ]);
}

describe("admin listener", () => {
  it("listens on loopback by default", async () => {
    const conn = await mysql.createConnection({
      host: "127.0.0.1",
      port: listener.port,
      user: "admin",
      password: "admin-secret",
    });
    await conn.end();
  });

  it("answers SHOW SERVERS to the mariadb CLI", async () => {
    const { stdout } = await cli("-e", "SHOW SERVERS");
    const [header, ...rows] = stdout.trim().split("\n");
    expect(header).toMatch(/\bname\b/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("db1");
    expect(rows[1]).toContain("lagging");
  });

  it("performs SET SERVER through the runtime's actions", async () => {
    await cli("-e", "SET SERVER db2 MAINTENANCE");
    expect(performed).toContain("db2:maintenance");
  });

  it("reports errors with a code the CLI prints", async () => {
    await expect(cli("-e", "SHOW NONSENSE")).rejects.toMatchObject({
      stderr: expect.stringMatching(/ERROR \d+/),
    });
    await expect(cli("-e", "SWITCHOVER TO db2")).rejects.toMatchObject({
      stderr: expect.stringContaining("no monitor"),
    });
  });

  it("refuses wrong credentials with error 1045", async () => {
    await expect(
      mysql.createConnection({ host: "127.0.0.1", port: listener.port, user: "admin", password: "wrong" }),
    ).rejects.toMatchObject({ errno: 1045 });
  });

  it("serves mysql2 text queries with typed rows", async () => {
    const conn = await mysql.createConnection({
      host: "127.0.0.1",
      port: listener.port,
      user: "admin",
      password: "admin-secret",
    });
    try {
      const [rows] = await conn.query("SHOW SERVERS");
      expect((rows as { name: string }[]).map((r) => r.name)).toEqual(["db1", "db2"]);
    } finally {
      await conn.end();
    }
  });
});
