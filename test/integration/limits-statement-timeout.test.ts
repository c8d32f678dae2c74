import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { expectPoolsAtBaseline, restoreCluster } from "../support/fault-cluster.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, rejectionOf, startRoutedProxy } from "./proxy-helpers.js";

/**
 * Statement time limits (policy `timeout`, pool `statement_timeout`) against the real cluster:
 * the client gets MariaDB's 1969 / 70100, the statement is gone from the server, the session goes
 * on; a hung (SIGSTOPped) server gives an error instead of a hang and leaves no connection behind.
 */
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-timeout-"));
let proxy: ProxyHandle;
const open: mysql.Connection[] = [];

const POLICY = `version 1
pool primary {
  role = primary
}
pool replicas {
  role = replica
  statement_timeout = 800ms
}
pool one {
  servers = ["replica1"]
  statement_timeout = 800ms
}
rule on_primary
  when writes or locking != none or in_transaction or transaction != none or same_connection
    or hint.route = "primary"
  -> route primary timeout 500ms
rule on_replica1
  when hint.route = "one"
  -> route one
rule reads
  when family = read
  -> route replicas
default -> route primary timeout 500ms
`;

beforeAll(async () => {
  const file = join(dir, "timeouts.policy");
  writeFileSync(file, POLICY);
  ({ proxy } = await startRoutedProxy(cluster, file, { pool: { connectTimeoutMs: 1500 } }));
  const root = await cluster.connect(cluster.primary);
  await root.query("CREATE TABLE IF NOT EXISTS timeout_t (id INT PRIMARY KEY, v VARCHAR(16))");
  await root.query("DELETE FROM timeout_t");
  await root.query("INSERT INTO timeout_t VALUES (1, 'one')");
  await root.end();
  await cluster.waitForReplication();
});

afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

afterAll(async () => {
  await proxy?.close();
  await restoreCluster(cluster);
  rmSync(dir, { recursive: true, force: true });
});

async function client(): Promise<mysql.Connection> {
  const conn = await connectThrough(proxy, cluster);
  conn.on("error", () => {});
  open.push(conn);
  return conn;
}

/** Statements of the test user still running `text` on `server`, as its PROCESSLIST shows them. */
async function running(server: ReturnType<typeof cluster.server>, text: string): Promise<number> {
  const rows = await cluster.rootQuery(
    server,
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${cluster.info.users.app.user}' AND INFO LIKE '%${text}%'`,
  );
  return Number(rows[0]?.n);
}

function expectTimeout(err: Error & { errno?: number; sqlState?: string }, ms: number): void {
  expect(err.errno).toBe(1969);
  expect(err.sqlState).toBe("70100");
  expect(err.message).toBe(
    `Query execution was interrupted (max_statement_time exceeded) by Sluice after ${ms} ms`,
  );
}

describe("a statement past its time limit", () => {
  it("SELECT SLEEP under a 500 ms rule timeout: 1969/70100, the query is killed, the session goes on", async () => {
    const conn = await client();
    expectTimeout(
      await rejectionOf(conn.query("/* sluice: route=primary */ SELECT SLEEP(30) AS marker_a")),
      500,
    );
    // SLEEP(30) would still be running for half a minute had Sluice not killed it
    await waitFor(
      "the killed query to leave the primary",
      async () => (await running(cluster.primary, "marker_a")) === 0,
      10_000,
    );
    const [rows] = await conn.query("/* sluice: route=primary */ SELECT 41 + 1 AS answer");
    expect(rows).toEqual([{ answer: 42 }]);
  });

  it("a read under the replicas pool's statement_timeout, through the text and the binary protocol", async () => {
    const conn = await client();
    expectTimeout(await rejectionOf(conn.query("SELECT SLEEP(30) AS marker_b")), 800);
    expectTimeout(await rejectionOf(conn.execute("SELECT SLEEP(?) AS marker_c", [30])), 800);
    for (const replica of cluster.replicas) {
      await waitFor(
        `the reads to leave ${replica.name}`,
        async () => (await running(replica, "marker_")) === 0,
        10_000,
      );
    }
    const [rows] = await conn.query("SELECT v FROM timeout_t WHERE id = 1");
    expect(rows).toEqual([{ v: "one" }]);
    const [again] = await conn.execute("SELECT v FROM timeout_t WHERE id = ?", [1]);
    expect(again).toEqual([{ v: "one" }]);
  });

  it("a write in a transaction stuck on a row lock: 1969, the transaction stays open and commits the rest", async () => {
    const blocker = await cluster.connect(cluster.primary);
    await blocker.query("BEGIN");
    await blocker.query("UPDATE timeout_t SET v = 'blocker' WHERE id = 1");
    const conn = await client();
    try {
      await conn.query("BEGIN");
      await conn.query("INSERT INTO timeout_t VALUES (2, 'before')");
      expectTimeout(await rejectionOf(conn.query("UPDATE timeout_t SET v = 'sluice' WHERE id = 1")), 500);
      // only the statement was rolled back (KILL QUERY, like max_statement_time)
      await conn.query("INSERT INTO timeout_t VALUES (3, 'after')");
      await conn.query("COMMIT");
    } finally {
      await blocker.query("ROLLBACK");
      await blocker.end();
    }
    const rows = await cluster.rootQuery(
      cluster.primary,
      `SELECT id, v FROM ${cluster.info.database}.timeout_t ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, v: "one" },
      { id: 2, v: "before" },
      { id: 3, v: "after" },
    ]);
    await cluster.rootQuery(cluster.primary, `DELETE FROM ${cluster.info.database}.timeout_t WHERE id > 1`);
  });
});

describe("a server that stops answering (SIGSTOP)", () => {
  it("a statement on a paused replica gets 1969 instead of hanging; other sessions go on; pools come back", async () => {
    const replica1 = cluster.server("replica1");
    const other = await client();
    const conn = await client();
    await conn.query("/* sluice: route=one */ SELECT 1"); // warm: the pool has connections there
    // one statement in flight when the server stops, one sent while it is stopped
    const inFlight = rejectionOf(conn.query("/* sluice: route=one */ SELECT SLEEP(0.6), 'marker_d'"));
    await sleep(150);
    await cluster.pause(replica1);
    try {
      expectTimeout(await inFlight, 800);
      expectTimeout(await rejectionOf(conn.query("/* sluice: route=one */ SELECT 'marker_e'")), 800);
      const fresh = await client();
      expectTimeout(await rejectionOf(fresh.query("/* sluice: route=one */ SELECT 'marker_f'")), 800);
      // the same sessions work elsewhere, and so does everyone else
      const [mine] = await conn.query("/* sluice: route=primary */ SELECT 'still here' AS s");
      expect(mine).toEqual([{ s: "still here" }]);
      await other.query("INSERT INTO timeout_t VALUES (10, 'other')");
      const [theirs] = await other.query("SELECT v FROM timeout_t WHERE id = 10 FOR UPDATE");
      expect(theirs).toEqual([{ v: "other" }]);
    } finally {
      await cluster.resume(replica1);
    }
    const [back] = await conn.query("/* sluice: route=one */ SELECT 'back' AS s");
    expect(back).toEqual([{ s: "back" }]);
    await other.query("DELETE FROM timeout_t WHERE id = 10");
    for (const c of open.splice(0)) await c.end();
    await expectPoolsAtBaseline(cluster, proxy, cluster.info.users.app.user);
  });

  it("a transaction whose connection had to be dropped is reported lost, and its work is not committed", async () => {
    const conn = await client();
    await conn.query("BEGIN");
    await conn.query("INSERT INTO timeout_t VALUES (20, 'lost')");
    const dropsBefore = proxy.counters.backendErrors;
    await cluster.pause(cluster.primary);
    try {
      expectTimeout(await rejectionOf(conn.query("INSERT INTO timeout_t VALUES (21, 'lost')")), 500);
      // the stopped server cannot answer the KILL: after the grace, Sluice drops the connection
      await waitFor("the connection to be dropped", () => proxy.counters.backendErrors > dropsBefore, 10_000);
    } finally {
      await cluster.resume(cluster.primary);
    }
    // the next command learns that the transaction is gone, and the session ends
    const lost = await rejectionOf(conn.query("COMMIT"));
    expect(lost.errno).toBe(2013);
    expect(lost.message).toMatch(/transaction was lost/);
    const rows = await cluster.rootQuery(
      cluster.primary,
      `SELECT COUNT(*) AS n FROM ${cluster.info.database}.timeout_t WHERE id >= 20`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
    for (const c of open.splice(0)) c.destroy();
    await expectPoolsAtBaseline(cluster, proxy, cluster.info.users.app.user);
  });
});
