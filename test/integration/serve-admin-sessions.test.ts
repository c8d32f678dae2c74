import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCluster } from "../support/cluster.js";
import { type AdminRow, adminCli, adminRows, eventually } from "./admin-cli.js";
import { type Served, serveInDir } from "./serve-support.js";

/**
 * SHOW SESSIONS, SHOW POOLS and KILL SESSION through the real `mariadb` CLI against `serve`
 * (in this process) in front of the real cluster, with mysql2 clients in known states.
 */
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-admin-sessions-"));
const app = cluster.info.users.app.user;
let served: Served;
const open: mysql.Connection[] = [];
/** from the first test: a session with an open transaction, one with a temporary table */
let inTransaction: mysql.Connection;
let withTempTable: mysql.Connection;

beforeAll(async () => {
  served = await serveInDir(cluster, dir, "logging:\n  level: warn\n");
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.kill_rows (id INT PRIMARY KEY)`,
    `DELETE FROM ${cluster.info.database}.kill_rows`,
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  await served?.runtime.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** A client whose asynchronous errors (the server's word on a killed connection) are kept. */
type ClientError = { code?: string | number; message: string };

async function client(): Promise<{ conn: mysql.Connection; errors: ClientError[] }> {
  const conn = await served.client();
  const errors: ClientError[] = [];
  // mysql2 reports an error packet that arrives between commands as an 'error' event
  conn.on("error", (e: ClientError) => errors.push(e));
  open.push(conn);
  return { conn, errors };
}

const sessions = () => adminRows(served.ports.admin, "SHOW SESSIONS");
const pools = () => adminRows(served.ports.admin, "SHOW POOLS");
const byId = (rows: AdminRow[], id: number) => rows.find((r) => r.id === String(id));

/** app connections per server, from the servers themselves */
async function processlist(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const s of cluster.info.servers) {
    const rows = await cluster.rootQuery(
      s,
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${app}'`,
    );
    counts.set(s.name, Number(rows[0]?.n));
  }
  return counts;
}

/** SHOW POOLS' open connections of the app user agree with every server's PROCESSLIST. */
async function poolsMatchProcesslist(leasedOnPrimary: number): Promise<AdminRow[] | undefined> {
  const rows = (await pools()).filter((r) => r.user === app);
  const actual = await processlist();
  for (const s of cluster.info.servers) {
    const row = rows.find((r) => r.server === s.name);
    if (Number(row?.open ?? 0) !== actual.get(s.name)) return undefined;
  }
  const primary = rows.find((r) => r.server === cluster.primary.name);
  return Number(primary?.leased) === leasedOnPrimary ? rows : undefined;
}

async function dirtyRead(id: number): Promise<number> {
  const rows = await cluster.rootQuery(
    cluster.primary,
    "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
    `SELECT COUNT(*) AS n FROM ${cluster.info.database}.kill_rows WHERE id = ${id}`,
  );
  return Number(rows[0]?.n);
}

describe("SHOW SESSIONS and SHOW POOLS", () => {
  it("list sessions in a transaction, holding a temporary table, idle and running", async () => {
    const inTx = await client();
    await inTx.conn.query("BEGIN");
    await inTx.conn.query("INSERT INTO kill_rows VALUES (1)");
    const [[tx]] = (await inTx.conn.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
    const temp = await client();
    await temp.conn.query("CREATE TEMPORARY TABLE scratch (x INT)");
    inTransaction = inTx.conn;
    withTempTable = temp.conn;
    const idle = await client();
    await idle.conn.query("SELECT 1");
    const busy = await client();
    const sleeping = busy.conn.query("SELECT SLEEP(20), 'secret-literal'").then(
      ([r]) => ({ rows: r }),
      (e: { errno?: number }) => ({ errno: e.errno }),
    );

    const rows = await eventually("all four sessions in their states", async () => {
      const r = await sessions();
      const ready =
        byId(r, busy.conn.threadId)?.state === "running" && byId(r, idle.conn.threadId)?.backend === null;
      return ready ? r : undefined;
    });
    expect(byId(rows, inTx.conn.threadId)).toMatchObject({
      user: app,
      db: cluster.info.database,
      state: "in transaction",
      in_transaction: "yes",
      backend: cluster.primary.name,
      backend_thread: String(tx!.t),
      pins: "",
      statements: "3",
      statement: null,
    });
    expect(byId(rows, temp.conn.threadId)).toMatchObject({
      state: "idle",
      in_transaction: "no",
      backend: cluster.primary.name,
      pins: "temporary_table",
      statements: "1",
    });
    expect(byId(rows, idle.conn.threadId)).toMatchObject({
      state: "idle",
      backend: null,
      backend_thread: null,
      pins: "",
      statement: null,
    });
    const running = byId(rows, busy.conn.threadId);
    expect(running).toMatchObject({ state: "running", statement: "SELECT SLEEP(?), ?", idle_seconds: null });
    expect(cluster.replicas.map((s) => s.name)).toContain(running?.backend);
    expect(JSON.stringify(rows)).not.toContain("secret-literal");
    expect(rows.every((r) => r.client?.startsWith("127.0.0.1:") && r.listener === "demo")).toBe(true);

    // KILL SESSION n QUERY stops only the statement: the session goes on
    await adminCli(served.ports.admin, `KILL SESSION ${busy.conn.threadId} QUERY`);
    const outcome = await sleeping;
    expect(outcome).toEqual(
      "rows" in outcome
        ? { rows: [{ "SLEEP(20)": 1, "secret-literal": "secret-literal" }] }
        : { errno: 1317 },
    );
    const [again] = await busy.conn.query("SELECT 'alive' AS a");
    expect(again).toEqual([{ a: "alive" }]);

    // two sessions hold primary connections; every open connection is one the server lists
    const poolRows = await eventually("SHOW POOLS to match PROCESSLIST", () => poolsMatchProcesslist(2));
    const primary = poolRows.find((r) => r.server === cluster.primary.name)!;
    expect(primary.pools?.split(",")).toContain("primary");
    expect(Number(primary.open)).toBe(Number(primary.idle) + Number(primary.leased));
    expect(Number(primary.opened_total) - Number(primary.closed_total)).toBe(Number(primary.open));
    const servers = await adminRows(served.ports.admin, "SHOW SERVERS");
    expect(servers.find((s) => s.name === cluster.primary.name)?.busy).toBe("2");
  });
});

describe("KILL SESSION", () => {
  it("an idle session in a transaction: error 1927, rolled back, others untouched, pools at baseline", async () => {
    const before = (await sessions()).map((r) => Number(r.id));
    const victim = await client();
    await victim.conn.query("BEGIN");
    await victim.conn.query("INSERT INTO kill_rows VALUES (2)");
    expect(await dirtyRead(2)).toBe(1);
    // the first test's two sessions and this one hold primary connections
    await eventually("three leased primary connections", () => poolsMatchProcesslist(3));

    const { stdout, stderr } = await adminCli(served.ports.admin, `KILL SESSION ${victim.conn.threadId}`);
    expect(stderr).toBe("");
    expect(stdout).toBe("");
    await eventually("the client to hear of it", async () => (victim.errors.length > 0 ? true : undefined));
    expect(victim.errors[0]).toMatchObject({ code: 1927, message: "Connection was killed" });
    await expect(victim.conn.query("SELECT 1")).rejects.toBeDefined();

    expect(await dirtyRead(2)).toBe(0);
    const after = await sessions();
    expect(byId(after, victim.conn.threadId)).toBeUndefined();
    const ids = (rows: AdminRow[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(ids(after)).toEqual(before.sort((a, b) => a - b));
    await eventually("pools back to baseline", () => poolsMatchProcesslist(2));
    // the victim's connection went back through COM_RESET_CONNECTION: the only transaction
    // open on an app connection is the first test's
    const [[own]] = (await inTransaction.query("SELECT @@pseudo_thread_id AS t")) as unknown as [
      { t: number }[],
    ];
    const trx = await cluster.rootQuery(
      cluster.primary,
      `SELECT t.trx_mysql_thread_id AS t FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.USER = '${app}'`,
    );
    expect(trx.map((r) => Number(r.t))).toEqual([own!.t]);
    // the other sessions go on: the first test's transaction and temporary table are still there
    const [mine] = await inTransaction.query("SELECT COUNT(*) AS n FROM kill_rows WHERE id = 1");
    expect(mine).toEqual([{ n: 1 }]);
    const [scratch] = await withTempTable.query("SELECT COUNT(*) AS n FROM scratch");
    expect(scratch).toEqual([{ n: 0 }]);
  });

  it("a session running a statement in a transaction: the statement fails, the work is rolled back", async () => {
    const victim = await client();
    await victim.conn.query("BEGIN");
    await victim.conn.query("INSERT INTO kill_rows VALUES (3)");
    const [[tx]] = (await victim.conn.query("SELECT @@pseudo_thread_id AS t")) as unknown as [
      { t: number }[],
    ];
    const running = victim.conn.query("SELECT SLEEP(30)").then(
      () => ({ errno: 0 }),
      (e: { errno?: number }) => ({ errno: e.errno }),
    );
    await eventually("the statement to run", async () =>
      byId(await sessions(), victim.conn.threadId)?.state === "running" ? true : undefined,
    );
    expect(await dirtyRead(3)).toBe(1);
    await adminCli(served.ports.admin, `KILL SESSION ${victim.conn.threadId}`);
    // MariaDB answers a killed statement with 1927; a connection cut first reads as 2013
    expect([1927, 2013]).toContain((await running).errno);
    expect(await dirtyRead(3)).toBe(0);
    const thread = await cluster.rootQuery(
      cluster.primary,
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${tx!.t}`,
    );
    expect(Number(thread[0]?.n)).toBe(0);
    expect(byId(await sessions(), victim.conn.threadId)).toBeUndefined();
    await eventually("pools back to baseline", () => poolsMatchProcesslist(2));
  });

  it("an unknown session gets ERROR 1094", async () => {
    await expect(adminCli(served.ports.admin, "KILL SESSION 987654")).rejects.toMatchObject({
      stderr: expect.stringContaining("ERROR 1094"),
    });
  });
});
