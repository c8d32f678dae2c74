import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startRoutedProxy } from "./proxy-helpers.js";

/**
 * Sessions share backend connections without COM_RESET_CONNECTION in between when Sluice knows
 * the lease changed nothing, and without COM_INIT_DB when the connection has the database
 * already. Every test runs two sessions over the primary's ONE pooled connection, handed back
 * after each statement (releaseAfterMs 0), and checks that nothing of one session shows in the
 * other: user variables, session variables, temporary tables, transactions, prepared statements,
 * LAST_INSERT_ID(), warnings, FOUND_ROWS(), ROW_COUNT(), the default database.
 */
const cluster = useCluster();
let proxy: ProxyHandle;
const OTHER_DB = "lease_reuse_other";

type Row = Record<string, unknown>;

async function rows(c: mysql.Connection, sql: string): Promise<Row[]> {
  const [r] = await c.query(sql);
  return r as Row[];
}

async function one(c: mysql.Connection, sql: string): Promise<unknown> {
  const r = await rows(c, sql);
  return Object.values(r[0] ?? {})[0];
}

/** Two sessions (A, B) through Sluice; closed after `body`. */
async function pair(
  body: (a: mysql.Connection, b: mysql.Connection) => Promise<void>,
  options: { readonly bDatabase?: string } = {},
): Promise<void> {
  const a = await connectThrough(proxy, cluster);
  const b = await connectThrough(
    proxy,
    cluster,
    options.bDatabase === undefined ? {} : { database: options.bDatabase },
  );
  try {
    await body(a, b);
  } finally {
    await a.end().catch(() => undefined);
    await b.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  const admin = await cluster.connect(cluster.primary);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${OTHER_DB}`);
  await admin.query("DROP TABLE IF EXISTS lease_reuse_t, lease_reuse_ai");
  await admin.query("CREATE TABLE lease_reuse_t (id INT PRIMARY KEY, v INT NOT NULL)");
  await admin.query("INSERT INTO lease_reuse_t VALUES (1,0),(2,0),(3,0),(4,0),(5,0),(6,0),(7,0)");
  await admin.query("CREATE TABLE lease_reuse_ai (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))");
  await admin.query("INSERT INTO lease_reuse_ai (v) VALUES ('x'), ('y'), ('z')");
  await admin.end();
  ({ proxy } = await startRoutedProxy(
    cluster,
    "policies/primary-only.policy",
    { pool: { minIdle: 0, maxIdle: 1, maxPerServer: 1, acquireTimeoutMs: 20_000 } },
    { releaseAfterMs: 0 },
  ));
});

afterAll(async () => {
  await proxy?.close();
  const admin = await cluster.connect(cluster.primary);
  await admin.query(`DROP DATABASE IF EXISTS ${OTHER_DB}`);
  await admin.query("DROP TABLE IF EXISTS lease_reuse_t, lease_reuse_ai");
  await admin.end();
});

describe("sessions sharing one backend connection without resets in between", () => {
  it("take turns on the same backend connection, and a clean lease skips the reset and the database selection", async () => {
    await pair(async (a, b) => {
      const idA = await one(a, "SELECT @@pseudo_thread_id");
      const idB = await one(b, "SELECT @@pseudo_thread_id");
      // the premise of every other test here: both sessions run on one backend connection
      expect(idB).toBe(idA);
      const skipped = proxy.poolCounters.resetsSkipped;
      const initDb = await one(a, "SHOW SESSION STATUS LIKE 'Com_init_db'");
      await one(b, "SELECT v FROM lease_reuse_t WHERE id = 1");
      await one(a, "SELECT v FROM lease_reuse_t WHERE id = 2");
      expect(proxy.poolCounters.resetsSkipped).toBeGreaterThan(skipped);
      const rowsA = await rows(a, "SHOW SESSION STATUS LIKE 'Com_init_db'");
      expect(rowsA[0]?.Value).toBe((initDb as string | undefined) ?? rowsA[0]?.Value);
      expect(await one(a, "SELECT @@pseudo_thread_id")).toBe(idA);
    });
  });

  it("a user variable stays with its session", async () => {
    await pair(async (a, b) => {
      await a.query("SET @lease_leak = 42");
      expect(await one(b, "SELECT @lease_leak")).toBeNull();
      expect(Number(await one(a, "SELECT @lease_leak"))).toBe(42);
      expect(await one(b, "SELECT @lease_leak")).toBeNull();
    });
  });

  it("a session's sql_mode stays with its session", async () => {
    await pair(async (a, b) => {
      const before = await one(b, "SELECT @@SESSION.sql_mode");
      await a.query("SET SESSION sql_mode = 'ANSI_QUOTES'");
      expect(await one(b, "SELECT @@SESSION.sql_mode")).toBe(before);
      expect(await one(a, "SELECT @@SESSION.sql_mode")).toBe("ANSI_QUOTES");
      expect(await one(b, "SELECT @@SESSION.sql_mode")).toBe(before);
    });
  });

  it("a temporary table dies with its session", async () => {
    await pair(async (a, b) => {
      await a.query("CREATE TEMPORARY TABLE lease_leak_tmp (i INT)");
      await a.query("INSERT INTO lease_leak_tmp VALUES (1)");
      await a.end();
      const e = await rejectionOf(b.query("SELECT * FROM lease_leak_tmp"));
      expect(e.errno).toBe(1146);
    });
  });

  it("an open transaction (BEGIN, or autocommit off) is never handed to another session", async () => {
    for (const open of ["BEGIN", "SET autocommit = 0"]) {
      await pair(async (a, b) => {
        await a.query(open);
        await a.query("UPDATE lease_reuse_t SET v = 99 WHERE id = 7");
        await a.end();
        expect(Number(await one(b, "SELECT @@in_transaction"))).toBe(0);
        expect(Number(await one(b, "SELECT @@autocommit"))).toBe(1);
        expect(Number(await one(b, "SELECT v FROM lease_reuse_t WHERE id = 7"))).toBe(0);
      });
    }
  });

  it("a prepared statement stays with its session", async () => {
    await pair(async (a, b) => {
      await a.query("PREPARE lease_leak_ps FROM 'SELECT 1'");
      const e = await rejectionOf(b.query("EXECUTE lease_leak_ps"));
      expect(e.errno).toBe(1243);
      expect(Number(await one(a, "EXECUTE lease_leak_ps"))).toBe(1);
    });
  });

  it("LAST_INSERT_ID() stays with its session, even read later in another session's transaction", async () => {
    await pair(async (a, b) => {
      await a.query("INSERT INTO lease_reuse_ai (v) VALUES ('leak')");
      // BEGIN first: the read then runs on a connection the reading session already used
      await b.query("BEGIN");
      expect(Number(await one(b, "SELECT LAST_INSERT_ID()"))).toBe(0);
      await b.query("ROLLBACK");
    });
  });

  it("warnings, FOUND_ROWS() and ROW_COUNT() of one session's statement never show in another", async () => {
    await pair(async (a, b) => {
      await a.query("SELECT CAST('lease-secret' AS SIGNED) AS n");
      expect(await rows(b, "SHOW WARNINGS")).toEqual([]);
    });
    await pair(async (a, b) => {
      await a.query("SELECT SQL_CALC_FOUND_ROWS id FROM lease_reuse_t LIMIT 1");
      expect(Number(await one(b, "SELECT FOUND_ROWS()"))).not.toBe(7);
    });
    await pair(async (a, b) => {
      await a.query("UPDATE lease_reuse_t SET v = v + 1 WHERE id <= 5");
      expect(Number(await one(b, "SELECT ROW_COUNT()"))).not.toBe(5);
    });
  });

  it("a session gives its connection back after a write and still reads its own ROW_COUNT() and LAST_INSERT_ID()", async () => {
    await pair(async (a, b) => {
      await a.query("UPDATE lease_reuse_t SET v = v + 1 WHERE id <= 3");
      expect(Number(await one(a, "SELECT ROW_COUNT()"))).toBe(3);
      await a.query("UPDATE lease_reuse_t SET v = v + 1 WHERE id <= 2");
      const [ins] = await a.query("INSERT INTO lease_reuse_ai (v) VALUES ('w')");
      const id = (ins as { insertId: number }).insertId;
      // b takes the only connection in between, and leaves its own results on it
      expect(Number(await one(b, "SELECT COUNT(*) FROM lease_reuse_t"))).toBe(7);
      await b.query("INSERT INTO lease_reuse_ai (v) VALUES ('b')");
      expect(Number(await one(a, "SELECT ROW_COUNT()"))).toBe(1);
      expect(Number(await one(a, "SELECT LAST_INSERT_ID()"))).toBe(id);
      // as on one server, the SELECT before set ROW_COUNT() to -1
      expect(Number(await one(a, "SELECT ROW_COUNT()"))).toBe(-1);
    });
  });

  it("each session keeps its own default database on the shared connection", async () => {
    await pair(
      async (a, b) => {
        for (let i = 0; i < 3; i++) {
          expect(await one(a, "SELECT DATABASE()")).toBe(cluster.info.database);
          expect(await one(b, "SELECT DATABASE()")).toBe(OTHER_DB);
        }
        await a.query(`USE ${OTHER_DB}`);
        expect(await one(a, "SELECT DATABASE()")).toBe(OTHER_DB);
        await b.query(`USE ${cluster.info.database}`);
        expect(await one(a, "SELECT DATABASE()")).toBe(OTHER_DB);
        expect(await one(b, "SELECT DATABASE()")).toBe(cluster.info.database);
      },
      { bDatabase: OTHER_DB },
    );
  });

  it("a session without a default database never runs in another session's", async () => {
    const a = await connectThrough(proxy, cluster);
    const b = await connectThrough(proxy, cluster, { database: undefined });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await one(a, "SELECT COUNT(*) FROM lease_reuse_t")).toBe(7);
        expect(await one(b, "SELECT DATABASE()")).toBeNull();
        const e = await rejectionOf(b.query("SELECT COUNT(*) FROM lease_reuse_t"));
        expect([e.errno, e.sqlState]).toEqual([1046, "3D000"]);
      }
      // once it chooses one, it has it
      await b.query(`USE ${OTHER_DB}`);
      expect(await one(b, "SELECT DATABASE()")).toBe(OTHER_DB);
      expect(await one(a, "SELECT DATABASE()")).toBe(cluster.info.database);
    } finally {
      await a.end().catch(() => undefined);
      await b.end().catch(() => undefined);
    }
  });
});
