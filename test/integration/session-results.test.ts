import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

/**
 * Earlier statements' results — LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT(), the warnings and
 * errors — are the session's, and live until the server itself would replace them, whichever
 * backend connection each statement ran on (issue 23, cases 1–6). Each script runs straight
 * against the primary and through Sluice, on a table of its own with the same rows, and every
 * statement's answer (error code, columns, rows, affected rows, insert id, warning count) and the
 * table's final rows must be the same. Through Sluice, sessions hand their connection back after
 * every statement (releaseAfterMs 0) over one connection per server, and a second session runs
 * between statements so the connection another session used is the one the next statement gets.
 */
const cluster = useCluster();
const DIRECT_DB = "results_direct";
const SLUICE_DB = "results_sluice";

/** a text-protocol statement, a pause, or a binary-protocol one (mysql2 `execute`) */
type Step = string | { readonly sleepMs: number } | { readonly execute: string };

/** `charset`: the client's connection character set (mysql2 encodes statements in it) */
const CASES: readonly {
  readonly name: string;
  readonly script: readonly Step[];
  readonly charset?: string;
}[] = [
  {
    name: "a latin1 client's write reading FOUND_ROWS() reaches the primary with its bytes as sent",
    charset: "latin1",
    script: [
      "SELECT id FROM t ORDER BY id LIMIT 2",
      "INSERT INTO t (a,b,s) VALUES (FOUND_ROWS(), 1, 'ü')",
      "SELECT s, HEX(s) FROM t WHERE b = 1 AND a = 2",
    ],
  },
  {
    name: "1: a write reading LAST_INSERT_ID() after a read",
    script: ["SELECT * FROM t ORDER BY id", "INSERT INTO t (a,b) VALUES (NULL, LAST_INSERT_ID())"],
  },
  {
    name: "1: a write reading FOUND_ROWS() and ROW_COUNT() after a read",
    script: ["SELECT * FROM t ORDER BY id", "INSERT INTO t (a,b) VALUES (FOUND_ROWS(), ROW_COUNT())"],
  },
  {
    name: "2: LAST_INSERT_ID() after a read in between",
    script: ["INSERT INTO t (a,b) VALUES (5,5)", "SELECT COUNT(*) FROM t", "SELECT LAST_INSERT_ID()"],
  },
  {
    name: "2: LAST_INSERT_ID() after user variables",
    script: [
      "INSERT INTO t (a,b) VALUES (5,5)",
      "SET @x=1",
      "SELECT @x",
      "SELECT LAST_INSERT_ID(), @@identity, @@last_insert_id",
    ],
  },
  {
    name: "2: LAST_INSERT_ID(42) then a read",
    script: ["SELECT LAST_INSERT_ID(42)", "SELECT MAX(id) FROM t", "SELECT LAST_INSERT_ID()"],
  },
  {
    name: "2: LAST_INSERT_ID() after a quiet second",
    script: ["INSERT INTO t (a,b) VALUES (5,5)", { sleepMs: 1_200 }, "SELECT 1", "SELECT LAST_INSERT_ID()"],
  },
  {
    name: "3: a write storing LAST_INSERT_ID() after a warning and a read",
    script: [
      "INSERT INTO t (a,b) VALUES (7,7)",
      "SELECT 1/0",
      "SELECT a, b FROM t WHERE id = 1",
      "INSERT INTO t (a,b) VALUES (NULL, LAST_INSERT_ID())",
    ],
  },
  {
    name: "3: a write storing FOUND_ROWS() and ROW_COUNT() after SET autocommit",
    script: [
      "SELECT id FROM t ORDER BY id LIMIT 3",
      "SET autocommit=0",
      "INSERT INTO t (a,b,s) VALUES (FOUND_ROWS(), ROW_COUNT(), 'x')",
      "COMMIT",
    ],
  },
  {
    name: "4: FOUND_ROWS() after SQL_CALC_FOUND_ROWS and a SET",
    script: ["SELECT SQL_CALC_FOUND_ROWS id FROM t ORDER BY id LIMIT 2", "SET @x=1", "SELECT FOUND_ROWS()"],
  },
  {
    name: "4: FOUND_ROWS() after a write",
    script: [
      "SELECT id FROM t WHERE id < 4",
      "UPDATE t SET b = b + 1 WHERE id = 1",
      "SELECT FOUND_ROWS()",
      "SELECT ROW_COUNT()",
    ],
  },
  {
    name: "5: SHOW WARNINGS after a SET",
    script: [
      "SELECT CAST('12abc' AS SIGNED)",
      "SET @x=1",
      "SHOW WARNINGS",
      "SHOW COUNT(*) WARNINGS",
      "SELECT @@warning_count",
    ],
  },
  { name: "5: SHOW WARNINGS after DO", script: ["SELECT CAST('12abc' AS SIGNED)", "DO 1", "SHOW WARNINGS"] },
  {
    name: "5: warnings cleared by a statement reading a table",
    script: [
      "SELECT CAST('12abc' AS SIGNED)",
      "SELECT a FROM t WHERE id = 1",
      "SHOW WARNINGS",
      "SELECT @@warning_count",
    ],
  },
  {
    name: "6: SHOW ERRORS after a failed write and a SET",
    script: ["DELETE FROM nosuch", "SET @q=1", "SHOW ERRORS", "SELECT @@error_count"],
  },
  {
    name: "EXECUTE of a statement reading LAST_INSERT_ID() after a read",
    script: [
      "PREPARE s FROM 'SELECT LAST_INSERT_ID() AS id'",
      "INSERT INTO t (a,b) VALUES (5,5)",
      "SELECT COUNT(*) FROM t",
      "EXECUTE s",
      "DEALLOCATE PREPARE s",
    ],
  },
  {
    name: "user variables set from computed values keep their values and types on other connections",
    script: [
      "SET @n = (SELECT COUNT(*) FROM t)",
      "INSERT INTO t (a,b) VALUES (1,1)",
      "SELECT @n",
      "SET @d = (SELECT 1.50), @f = (SELECT 1.5e0), @s = (SELECT CONCAT('ü', a) FROM t WHERE id = 1), @z = (SELECT NULL)",
      "SELECT COUNT(*) FROM t",
      "SELECT @d, @f, @s, COLLATION(@s), @z, @d + 0, @f * 2, @n + 1",
      { sleepMs: 50 },
      "SELECT @d, @f, @s, COLLATION(@s), @z",
    ],
  },
  {
    name: "FOUND_ROWS() after SELECT … INTO and a SET with a subquery (found by the differential test)",
    script: [
      "SELECT COUNT(*) FROM t",
      "SELECT MAX(id) INTO @m FROM t",
      "SET @n = (SELECT COUNT(*) FROM t)",
      "INSERT INTO t (a, b, s) VALUES (FOUND_ROWS(), ROW_COUNT(), 'x')",
      "SELECT a, b FROM t WHERE s = 'x'",
    ],
  },
  {
    name: "binary EXECUTE reading LAST_INSERT_ID() after a read",
    script: [
      "INSERT INTO t (a,b) VALUES (5,5)",
      "SELECT COUNT(*) FROM t",
      { execute: "SELECT LAST_INSERT_ID() AS id" },
    ],
  },
];

interface Answer {
  readonly error?: number;
  readonly columns?: readonly string[];
  readonly rows?: unknown;
  readonly affectedRows?: number;
  readonly insertId?: number;
  readonly warnings?: number;
}

async function answer(c: mysql.Connection, sql: string, binary = false): Promise<Answer> {
  try {
    const [result, fields] = binary ? await c.execute(sql) : await c.query(sql);
    if (Array.isArray(result)) return { columns: (fields ?? []).map((f) => f.name), rows: result };
    const ok = result as mysql.ResultSetHeader;
    return { affectedRows: ok.affectedRows, insertId: ok.insertId, warnings: ok.warningStatus };
  } catch (e) {
    return { error: (e as { errno?: number }).errno ?? -1 };
  }
}

async function prepareTable(db: string, table: string): Promise<void> {
  const admin = await cluster.connect(cluster.primary);
  await admin.query(`DROP TABLE IF EXISTS ${db}.${table}`);
  await admin.query(
    `CREATE TABLE ${db}.${table} (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b INT, s VARCHAR(20))`,
  );
  await admin.query(
    `INSERT INTO ${db}.${table} (a,b,s) VALUES (1,1,'a'),(2,2,'b'),(3,3,'c'),(4,4,'d'),(5,5,'e'),(6,6,'f')`,
  );
  await admin.end();
}

async function tableRows(db: string): Promise<unknown> {
  const admin = await cluster.connect(cluster.primary);
  const [rows] = await admin.query(`SELECT * FROM ${db}.t ORDER BY id`);
  await admin.end();
  return rows;
}

/** Runs `script` on `c`; after each statement `between` runs (another session's turn). */
async function run(
  c: mysql.Connection,
  script: readonly Step[],
  between: () => Promise<void>,
): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const step of script) {
    if (typeof step !== "string" && "sleepMs" in step) {
      await new Promise((r) => setTimeout(r, step.sleepMs));
      continue;
    }
    const got = typeof step === "string" ? await answer(c, step) : await answer(c, step.execute, true);
    // the two sides use databases of different names: error messages name them
    const a = JSON.stringify(got).replaceAll(DIRECT_DB, "db").replaceAll(SLUICE_DB, "db");
    out.push(JSON.parse(a) as Answer);
    await between();
  }
  return out;
}

beforeAll(async () => {
  const admin = await cluster.connect(cluster.primary);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DIRECT_DB}`);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${SLUICE_DB}`);
  await admin.end();
});

afterAll(async () => {
  const admin = await cluster.connect(cluster.primary);
  await admin.query(`DROP DATABASE IF EXISTS ${DIRECT_DB}`);
  await admin.query(`DROP DATABASE IF EXISTS ${SLUICE_DB}`);
  await admin.end();
});

/** Each policy with connections handed back after every statement, and with the default timing. */
const SETUPS = [
  { policy: "policies/default.policy", releaseAfterMs: 0 },
  { policy: "policies/default.policy", releaseAfterMs: undefined },
  { policy: "policies/primary-only.policy", releaseAfterMs: 0 },
] as const;

describe.each(SETUPS)("through $policy, release after $releaseAfterMs ms", ({ policy, releaseAfterMs }) => {
  let proxy: ProxyHandle;

  beforeAll(async () => {
    ({ proxy } = await startRoutedProxy(
      cluster,
      policy,
      { pool: { minIdle: 0, maxIdle: 1, maxPerServer: 2, acquireTimeoutMs: 20_000 } },
      releaseAfterMs === undefined ? {} : { releaseAfterMs },
    ));
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it.each(CASES)("case $name answers as one server does", async ({ script, charset }) => {
    const encoding = charset === undefined ? {} : { charset };
    await prepareTable(DIRECT_DB, "t");
    await prepareTable(SLUICE_DB, "t");
    await cluster.waitForReplication();
    const direct = await mysql.createConnection({
      host: cluster.primary.host,
      port: cluster.primary.port,
      user: cluster.info.users.app.user,
      password: cluster.info.users.app.password,
      database: DIRECT_DB,
      ...encoding,
    });
    const through = await connectThrough(proxy, cluster, { database: SLUICE_DB, ...encoding });
    // another session that takes the same pooled connections between the script's statements
    const other = await connectThrough(proxy, cluster, { database: SLUICE_DB });
    const otherTurn = async () => {
      await other.query("SELECT SQL_CALC_FOUND_ROWS id FROM t LIMIT 1");
      await other.query("SELECT CAST('9zz' AS SIGNED)");
    };
    try {
      const want = await run(direct, script, async () => undefined);
      const got = await run(through, script, otherTurn);
      expect(got).toEqual(want);
      await cluster.waitForReplication();
      expect(await tableRows(SLUICE_DB)).toEqual(await tableRows(DIRECT_DB));
    } finally {
      await direct.end().catch(() => undefined);
      await through.end().catch(() => undefined);
      await other.end().catch(() => undefined);
    }
  });
});
