import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { u32 } from "../protocol/wire-builder.js";
import { useCluster } from "../support/cluster.js";
import { expectPoolsAtBaseline, restoreCluster } from "../support/fault-cluster.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, rejectionOf, startRoutedProxy } from "./proxy-helpers.js";
import { type RawClient, rawLogin } from "./proxy-raw-client.js";

/**
 * Statement time limits on the commands that are not COM_QUERY or COM_STMT_EXECUTE but wait on
 * the server all the same: COM_STMT_PREPARE (behind a pending DDL's metadata lock), COM_STMT_FETCH and
 * COM_INIT_DB (on a SIGSTOPped server). Each ends like a stuck query: 1969 / 70100, the command
 * killed or its connection dropped, the session usable after (or, in a transaction whose
 * connection was dropped, ended with the lost-transaction error).
 */
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-cmd-timeout-"));
let proxy: ProxyHandle;
const open: mysql.Connection[] = [];
const raw: RawClient[] = [];

// pool `one` and the primary rules have different limits: the error says which one applied
const POLICY = `version 1
pool primary {
  role = primary
}
pool one {
  servers = ["replica1"]
  statement_timeout = 400ms
}
rule on_primary
  when writes or locking != none or in_transaction or transaction != none or hint.route = "primary"
  -> route primary timeout 300ms
rule on_replica1
  when hint.route = "one"
  -> route one
default -> route primary timeout 300ms
`;

beforeAll(async () => {
  const file = join(dir, "command-timeouts.policy");
  writeFileSync(file, POLICY);
  // sessions keep their connection between commands: the stuck command is the one on the wire,
  // not the taking of a pooled connection (which the limit covered already)
  ({ proxy } = await startRoutedProxy(
    cluster,
    file,
    { pool: { connectTimeoutMs: 1500 } },
    { releaseAfterMs: 60_000 },
  ));
  const root = await cluster.connect(cluster.primary);
  await root.query("CREATE TABLE IF NOT EXISTS cmd_timeout_t (id INT PRIMARY KEY, v VARCHAR(16))");
  await root.query("DELETE FROM cmd_timeout_t");
  await root.query("INSERT INTO cmd_timeout_t VALUES (1, 'one')");
  await root.end();
  await cluster.waitForReplication();
});

afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  for (const c of raw.splice(0)) c.close();
  await restoreCluster(cluster);
});

afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function client(): Promise<mysql.Connection> {
  const conn = await connectThrough(proxy, cluster);
  conn.on("error", () => {});
  open.push(conn);
  return conn;
}

async function rawClient(): Promise<RawClient> {
  const { app } = cluster.info.users;
  const { client } = await rawLogin(proxy.host, proxy.port, app.user, app.password, cluster.info.database);
  raw.push(client);
  return client;
}

/** The next packet, which must be an ERR: its code, SQLSTATE and message. */
async function errorOf(c: RawClient): Promise<{ errno: number; sqlState: string; message: string }> {
  const p = await c.read();
  if (p?.payload[0] !== 0xff) throw new Error(`expected an ERR packet, got ${p?.payload.toString("latin1")}`);
  return {
    errno: p.payload.readUInt16LE(1),
    sqlState: p.payload.toString("latin1", 4, 9),
    message: p.payload.toString("utf8", 9),
  };
}

/** Packets up to and including the 0xFE that ends a result (DEPRECATE_EOF: column count first). */
async function untilEof(c: RawClient): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (;;) {
    const p = await c.read();
    if (p === undefined) throw new Error("connection closed inside a result");
    if (p.payload[0] === 0xff) throw new Error(`error: ${p.payload.toString("utf8", 9)}`);
    out.push(p.payload);
    if (p.payload[0] === 0xfe && p.payload.length < 0xffffff) return out;
  }
}

/** COM_QUERY for a one-column result; the column's text values. */
async function textQuery(c: RawClient, sql: string): Promise<string[]> {
  c.send(0, [0x03, ...Buffer.from(sql)]);
  const packets = await untilEof(c);
  const columns = packets[0]![0]!;
  return packets.slice(1 + columns, -1).map((row) => row.toString("utf8", 1, 1 + row[0]!));
}

function expectTimeout(err: { errno?: number; sqlState?: string; message: string }, ms: number): void {
  expect(err.errno).toBe(1969);
  expect(err.sqlState).toBe("70100");
  expect(err.message).toBe(
    `Query execution was interrupted (max_statement_time exceeded) by Sluice after ${ms} ms`,
  );
}

/** Statements of the test user still running `text` on the primary. */
async function runningOnPrimary(text: string, state?: string): Promise<number> {
  const rows = await cluster.rootQuery(
    cluster.primary,
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${cluster.info.users.app.user}' AND INFO LIKE '%${text}%'` +
      (state === undefined ? "" : ` AND STATE = '${state}'`),
  );
  return Number(rows[0]?.n);
}

/**
 * COM_INIT_DB while the primary is stopped: 1969 after the primary rule's 300 ms, and the
 * connection dropped once the 2 s grace has passed; the primary runs again afterwards.
 */
async function initDbTimesOutOnStoppedPrimary(c: RawClient): Promise<void> {
  const dropsBefore = proxy.counters.backendErrors;
  await cluster.pause(cluster.primary);
  try {
    c.send(0, [0x02, ...Buffer.from(cluster.info.database)]);
    expectTimeout(await errorOf(c), 300);
    await waitFor("the connection to be dropped", () => proxy.counters.backendErrors > dropsBefore, 10_000);
  } finally {
    await cluster.resume(cluster.primary);
  }
}

describe("commands other than COM_QUERY and COM_STMT_EXECUTE past the time limit", () => {
  it("COM_STMT_PREPARE behind a metadata lock: 1969 under its statement's limit, killed, connection kept", async () => {
    // A PREPARE waits for the table's metadata lock behind a pending DDL (LOCK TABLES WRITE alone
    // does not stop it): one connection reads in an open transaction, another ALTERs and waits.
    const reader = await cluster.connect(cluster.primary);
    const ddl = await cluster.connect(cluster.primary);
    open.push(reader, ddl);
    await reader.query("BEGIN");
    await reader.query("SELECT * FROM cmd_timeout_t");
    const altered = ddl.query("ALTER TABLE cmd_timeout_t COMMENT = 'behind a reader'");
    await waitFor(
      "the ALTER to wait for the metadata lock",
      // waiting, not only started: before it asks for the lock a PREPARE would get past it
      async () => (await runningOnPrimary("behind a reader", "Waiting for table metadata lock")) === 1,
    );
    const conn = await client();
    const dropsBefore = proxy.counters.backendErrors;
    // the PREPARE runs on the primary (the session holds no connection); its statement would
    // execute in pool `one`, whose 400 ms are the limit (not the primary rule's 300 ms)
    const sql = "/* sluice: route=one */ SELECT v, 'marker_p' AS m FROM cmd_timeout_t WHERE id = ?";
    expectTimeout(await rejectionOf(conn.execute(sql, [1])), 400);
    // without the KILL it would wait for the lock as long as the reader keeps its transaction
    await waitFor(
      "the killed PREPARE to leave the primary",
      async () => (await runningOnPrimary("marker_p")) === 0,
    );
    await reader.query("ROLLBACK");
    await altered;
    const [rows] = await conn.execute(sql, [1]);
    expect(rows).toEqual([{ v: "one", m: "marker_p" }]);
    // the server ended the PREPARE within the grace: its connection was kept, not dropped
    expect(proxy.counters.backendErrors).toBe(dropsBefore);
  }, 20_000);

  it("COM_STMT_FETCH on a stopped server: 1969 under its EXECUTE's limit, connection dropped, session goes on", async () => {
    const replica1 = cluster.server("replica1");
    const c = await rawClient();
    // the session takes its connection on replica1 first: PREPARE and EXECUTE then run there
    expect(await textQuery(c, "/* sluice: route=one */ SELECT 'warm' AS s")).toEqual(["warm"]);
    c.send(0, [0x16, ...Buffer.from("/* sluice: route=one */ SELECT seq FROM seq_1_to_10")]);
    const prepared = await c.read();
    expect(prepared?.payload[0]).toBe(0x00);
    await c.read(); // the column definition (no EOF after it: DEPRECATE_EOF)
    const id = [...prepared!.payload.subarray(1, 5)];
    // COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY, no parameters: runs on replica1 (pool `one`)
    c.send(0, [0x17, ...id, 0x01, ...u32(1)]);
    const head = await untilEof(c);
    expect(head.at(-1)!.readUInt16LE(3) & 0x40).toBe(0x40); // SERVER_STATUS_CURSOR_EXISTS
    const dropsBefore = proxy.counters.backendErrors;
    await cluster.pause(replica1);
    try {
      c.send(0, [0x1c, ...id, ...u32(4)]);
      expectTimeout(await errorOf(c), 400);
      // the stopped server cannot answer the KILL: after the grace, Sluice drops the connection
      await waitFor("the connection to be dropped", () => proxy.counters.backendErrors > dropsBefore, 10_000);
    } finally {
      await cluster.resume(replica1);
    }
    expect(await textQuery(c, "SELECT 'after the fetch' AS s")).toEqual(["after the fetch"]);
    c.send(0, [0x01]);
    c.close();
    await expectPoolsAtBaseline(cluster, proxy, cluster.info.users.app.user);
  }, 30_000);

  it("COM_INIT_DB on a stopped server in a transaction: 1969, then the transaction is reported lost", async () => {
    const c = await rawClient();
    c.send(0, [0x03, ...Buffer.from("BEGIN")]);
    expect((await c.read())?.payload[0]).toBe(0x00);
    // `USE db` in a transaction: the primary rule's 300 ms
    await initDbTimesOutOnStoppedPrimary(c);
    c.send(0, [0x03, ...Buffer.from("COMMIT")]);
    const lost = await errorOf(c);
    expect(lost.errno).toBe(2013);
    expect(lost.message).toMatch(/transaction was lost/);
    expect(await c.read()).toBeUndefined(); // and the session ends
    await expectPoolsAtBaseline(cluster, proxy, cluster.info.users.app.user);
  }, 30_000);

  it("COM_INIT_DB outside a transaction, on a stopped server: 1969, and the session goes on", async () => {
    const c = await rawClient();
    expect(await textQuery(c, "SELECT 'warm' AS s")).toEqual(["warm"]); // holds a primary connection
    await initDbTimesOutOnStoppedPrimary(c);
    c.send(0, [0x02, ...Buffer.from(cluster.info.database)]);
    expect((await c.read())?.payload[0]).toBe(0x00);
    expect(await textQuery(c, "SELECT DATABASE() AS db")).toEqual([cluster.info.database]);
  }, 30_000);
});
