import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { type Counters, delta as counterDelta, counters as counterSnapshot } from "./counter-deltas.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

/**
 * XA transactions through Sluice under default.policy: from XA START to XA COMMIT / ROLLBACK the
 * session keeps one backend connection on the primary (the server's status flags and transaction
 * tracker say a transaction is open, even between XA END and XA PREPARE when the client sends
 * nothing), reads inside run there too, nobody else gets that connection, and the outcome is the
 * server's.
 */
const cluster = useCluster();
let proxy: ProxyHandle;

const counters = (): Promise<Counters> => counterSnapshot(cluster);
const delta = (before: Counters, after: Counters, name: string) => counterDelta(cluster, before, after, name);

/** The primary's counts of each counter (a replica's XA counters also count the events it applies). */
function onPrimary(before: Counters, after: Counters, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, delta(before, after, n).primary]));
}

const XA_COUNTERS = ["Com_xa_start", "Com_xa_end", "Com_xa_prepare", "Com_xa_commit", "Com_xa_rollback"];

beforeAll(async () => {
  ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy", {
    pool: { minIdle: 0, maxIdle: 16, maxPerServer: 16, acquireTimeoutMs: 20_000 },
  }));
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${cluster.info.database}.xa_ledger (id INT PRIMARY KEY, note VARCHAR(32)) ENGINE=InnoDB`,
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await proxy?.close();
});

/** The backend thread Sluice's session for `conn` holds now (mysql2's threadId is Sluice's session id). */
function heldThread(conn: mysql.Connection): number | null {
  return proxy.sessions().find((s) => s.id === conn.threadId)?.backend?.threadId ?? null;
}

/** Longer than the release delay (5 ms): a session that could give its connection back would have. */
const pause = () => new Promise((r) => setTimeout(r, 60));

/**
 * Runs `statements` in one session; between any two, a pause and twenty statements from another
 * client on the primary, each reporting the backend thread it ran on. Returns the thread the XA session read
 * inside its transaction, the other client's threads and the XA session's held thread after each
 * statement.
 */
async function runXa(statements: readonly string[]) {
  const xa = await connectThrough(proxy, cluster);
  const other = await connectThrough(proxy, cluster);
  const otherThreads = new Set<number>();
  const heldThreads: (number | null)[] = [];
  let readThread: number | null = null;
  let readAt = -1;
  try {
    for (const [n, sql] of statements.entries()) {
      const [rows] = await xa.query(sql);
      if (sql.startsWith("SELECT @@pseudo_thread_id")) {
        readThread = (rows as { id: number }[])[0]!.id;
        readAt = n;
      }
      await pause();
      heldThreads.push(heldThread(xa));
      if (n === statements.length - 1) break; // the transaction is over
      for (let i = 0; i < 20; i++) {
        const [t] = await other.query("/* sluice: route=primary */ SELECT @@pseudo_thread_id AS id");
        otherThreads.add((t as { id: number }[])[0]!.id);
      }
    }
  } finally {
    await xa.end();
    await other.end();
  }
  return { readThread, readAt, otherThreads, heldThreads };
}

/**
 * From the read that named the connection until the last statement, the XA session held that
 * very connection, pauses included, and no other client's statement ran on it.
 */
function expectPinned(run: Awaited<ReturnType<typeof runXa>>): void {
  expect(run.readThread).not.toBeNull();
  const during = run.heldThreads.slice(run.readAt, -1);
  expect(during.length).toBeGreaterThan(1);
  expect(during).toEqual(during.map(() => run.readThread));
  expect(run.otherThreads.has(run.readThread!)).toBe(false);
}

/** The row's note as the primary has it (null: no such row). */
async function noteOnPrimary(id: number): Promise<string | null> {
  const check = await cluster.connect(cluster.primary);
  const [rows] = await check.query("SELECT note FROM xa_ledger WHERE id = ?", [id]);
  await check.end();
  return (rows as { note: string }[])[0]?.note ?? null;
}

describe("XA transactions stay on one primary connection", () => {
  it("XA START … INSERT … XA END / PREPARE / COMMIT, with reads in between: one connection, committed", async () => {
    const before = await counters();
    const run = await runXa([
      "XA START 'sluice-xa-1'",
      "SELECT @@pseudo_thread_id AS id",
      "INSERT INTO xa_ledger VALUES (1, 'committed')",
      "SELECT COUNT(*) AS n FROM xa_ledger WHERE id = 1",
      "XA END 'sluice-xa-1'",
      "XA PREPARE 'sluice-xa-1'",
      "XA COMMIT 'sluice-xa-1'",
    ]);
    const after = await counters();
    expectPinned(run);
    // every XA statement on the primary, once
    expect(onPrimary(before, after, [...XA_COUNTERS, "Com_insert"])).toEqual({
      Com_xa_start: 1,
      Com_xa_end: 1,
      Com_xa_prepare: 1,
      Com_xa_commit: 1,
      Com_xa_rollback: 0,
      Com_insert: 1,
    });
    // the XA session's 2 reads and the other client's 20 per statement: all on the primary
    const selects = delta(before, after, "Com_select");
    expect(selects.replicas).toBe(0);
    expect(selects.primary).toBeGreaterThanOrEqual(2 + 6 * 20);
    expect(await noteOnPrimary(1)).toBe("committed");
  });

  it("XA ROLLBACK after PREPARE leaves no row, and a read after it goes back to the replicas", async () => {
    const before = await counters();
    const run = await runXa([
      "XA START 'sluice-xa-2'",
      "INSERT INTO xa_ledger VALUES (2, 'rolled back')",
      "SELECT @@pseudo_thread_id AS id",
      "XA END 'sluice-xa-2'",
      "XA PREPARE 'sluice-xa-2'",
      "XA ROLLBACK 'sluice-xa-2'",
    ]);
    const after = await counters();
    expectPinned(run);
    expect(await noteOnPrimary(2)).toBeNull();
    expect(onPrimary(before, after, ["Com_xa_prepare", "Com_xa_rollback", "Com_xa_commit"])).toEqual({
      Com_xa_prepare: 1,
      Com_xa_rollback: 1,
      Com_xa_commit: 0,
    });
    expect(delta(before, after, "Com_select").replicas).toBe(0);
    const conn = await connectThrough(proxy, cluster);
    const mark = await counters();
    const [rows] = await conn.query("SELECT COUNT(*) AS n FROM xa_ledger WHERE id = 2");
    const end = await counters();
    await conn.end();
    expect(rows).toEqual([{ n: 0 }]);
    expect(delta(mark, end, "Com_select").replicas).toBeGreaterThanOrEqual(1);
  });

  it("XA COMMIT … ONE PHASE keeps the session on its connection until the commit, and commits", async () => {
    const run = await runXa([
      "XA START 'sluice-xa-3'",
      "SELECT @@pseudo_thread_id AS id",
      "INSERT INTO xa_ledger VALUES (3, 'one phase')",
      "XA END 'sluice-xa-3'",
      "XA COMMIT 'sluice-xa-3' ONE PHASE",
    ]);
    expectPinned(run);
    expect(await noteOnPrimary(3)).toBe("one phase");
  });
});
