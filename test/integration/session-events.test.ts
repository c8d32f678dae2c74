import fc from "fast-check";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveOperations } from "../../src/routing/active-operations.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

/**
 * Random sequences of session events against a live Sluice: statements that set and clear every
 * kind of pin (transactions, temporary tables, table and named locks, prepared statements,
 * same-connection producers), statements that fail, clients that vanish, backend connections
 * killed under the session. Whatever happens, once the clients are gone every active-operation
 * counter is back to zero, no session is left, and no backend connection stays leased.
 */
const cluster = useCluster();
let proxy: ProxyHandle;
let operations: ActiveOperations | undefined;
const MAX_IDLE = 4;

const STATEMENTS = [
  "SELECT v FROM events_t WHERE id = 1",
  "INSERT INTO events_t (v) VALUES ('x')",
  "BEGIN",
  "COMMIT",
  "ROLLBACK",
  "START TRANSACTION READ ONLY",
  "CREATE TEMPORARY TABLE IF NOT EXISTS ev_tmp (id INT)",
  "DROP TEMPORARY TABLE IF EXISTS ev_tmp",
  "SELECT COUNT(*) FROM ev_tmp",
  "LOCK TABLES events_t READ",
  "UNLOCK TABLES",
  "SELECT GET_LOCK('ev_lock', 0)",
  "SELECT RELEASE_LOCK('ev_lock')",
  "PREPARE ev_stmt FROM 'SELECT 1'",
  "DEALLOCATE PREPARE ev_stmt",
  "SELECT SQL_CALC_FOUND_ROWS v FROM events_t LIMIT 1",
  "SELECT FOUND_ROWS()",
  "SHOW WARNINGS",
  "SET @ev = 1",
  "SET autocommit = 0",
  "SET autocommit = 1",
  "SELECT * FROM no_such_table",
  "USE sluice_test",
] as const;

type Event =
  | { readonly kind: "statement"; readonly sql: string }
  | { readonly kind: "disconnect" }
  | { readonly kind: "kill-backends" };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(...STATEMENTS).map((sql) => ({ kind: "statement" as const, sql })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "disconnect" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "kill-backends" as const }) },
);

async function killAppBackends(): Promise<void> {
  for (const server of cluster.info.servers) {
    const rows = await cluster.rootQuery(
      server,
      "SELECT id FROM information_schema.PROCESSLIST WHERE USER = 'app'",
    );
    for (const row of rows) await cluster.rootQuery(server, `KILL ${Number(row.id)}`).catch(() => undefined);
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  ({ proxy, operations } = await startRoutedProxy(cluster, "policies/default.policy", {
    pool: { minIdle: 0, maxIdle: MAX_IDLE },
  }));
  const conn = await cluster.connect(cluster.primary);
  await conn.query("CREATE TABLE IF NOT EXISTS events_t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(8))");
  await conn.query("INSERT INTO events_t (v) VALUES ('a')");
  await conn.end();
  await cluster.waitForReplication();
});

afterAll(async () => {
  await proxy?.close();
});

describe("session events", () => {
  it("always bring counters, sessions and leases back to zero", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(eventArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        async (clients) => {
          await Promise.all(
            clients.map(async (events) => {
              let conn: mysql.Connection = await connectThrough(proxy, cluster);
              conn.on("error", () => {});
              for (const event of events) {
                if (event.kind === "statement") {
                  await conn.query(event.sql).catch(() => undefined);
                } else if (event.kind === "disconnect") {
                  conn.destroy();
                  conn = await connectThrough(proxy, cluster);
                  conn.on("error", () => {});
                } else {
                  await killAppBackends();
                }
              }
              conn.destroy();
            }),
          );
          await until(() => proxy.counters.activeSessions === 0, "every session to end");
          expect(operations?.total()).toBe(0);
          // nothing stays leased: what is open is idle, and idle is bounded per server
          for (const server of cluster.info.servers) {
            await until(
              () => proxy.openBackendConnections(server.name) <= MAX_IDLE,
              `${server.name}'s leases to return`,
            );
          }
        },
      ),
      { numRuns: Number(process.env.SLUICE_EVENT_RUNS ?? 25) },
    );
    // with every session gone, a lock or temporary table left on a backend would show here
    const [rows] = await (async () => {
      const c = await connectThrough(proxy, cluster);
      try {
        return await c.query("SELECT IS_FREE_LOCK('ev_lock') AS free");
      } finally {
        await c.end();
      }
    })();
    expect(rows).toEqual([{ free: 1 }]);
  });
});
