import fc from "fast-check";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { type StatementKind, type Step, sessionScript } from "../differential/statements.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

/**
 * Generative differential test (issue 23, deliverable 1, CI-sized): random sessions over the
 * kinds of session state in test/differential/statements.ts run once straight against the primary
 * and once through Sluice, on tables of their own with the same rows, while another session uses
 * the same pooled connections between every two statements. Every statement's answer (error code,
 * columns, rows, affected rows, insert id, warning count) and the final rows must be the same;
 * fast-check shrinks a failure to a minimal script. Seeded, so a run is repeatable.
 */
const cluster = useCluster();
const DIRECT_DB = "diff_direct";
const SLUICE_DB = "diff_sluice";

/** CI runs a fixed seed; a longer run: SLUICE_DIFF_RUNS=500 SLUICE_DIFF_SEED=$RANDOM npx vitest … */
const RUNS = Number(process.env.SLUICE_DIFF_RUNS ?? 40);
const SEED = Number(process.env.SLUICE_DIFF_SEED ?? 2026_12_04);

/** Every kind of statement is in the CI run: none is known to answer differently today. */
const KINDS: readonly StatementKind[] = ["read", "write", "results", "warnings", "variables", "transactions"];

type Answer = Record<string, unknown>;

async function answer(c: mysql.Connection, sql: string): Promise<Answer> {
  try {
    const [result, fields] = await c.query(sql);
    if (Array.isArray(result)) return { columns: (fields ?? []).map((f) => f.name), rows: result };
    const ok = result as mysql.ResultSetHeader;
    return { affectedRows: ok.affectedRows, insertId: ok.insertId, warnings: ok.warningStatus };
  } catch (e) {
    return { error: (e as { errno?: number }).errno ?? -1 };
  }
}

async function resetTables(): Promise<void> {
  const admin = await cluster.connect(cluster.primary);
  for (const db of [DIRECT_DB, SLUICE_DB]) {
    await admin.query(`DROP TABLE IF EXISTS ${db}.t`);
    await admin.query(
      `CREATE TABLE ${db}.t (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b INT, s VARCHAR(20))`,
    );
    await admin.query(
      `INSERT INTO ${db}.t (a, b, s) VALUES (1,1,'a'),(2,2,'b'),(3,3,'c'),(4,4,'d'),(5,5,'e'),(6,6,'f')`,
    );
  }
  await admin.end();
  await cluster.waitForReplication();
}

async function finalRows(db: string): Promise<unknown> {
  const admin = await cluster.connect(cluster.primary);
  const [rows] = await admin.query(`SELECT * FROM ${db}.t ORDER BY id`);
  await admin.end();
  return rows;
}

async function run(
  c: mysql.Connection,
  script: readonly Step[],
  between: () => Promise<void>,
): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const step of script) {
    if ("pauseMs" in step) {
      await new Promise((r) => setTimeout(r, step.pauseMs));
      continue;
    }
    const got = JSON.stringify(await answer(c, step.sql))
      .replaceAll(DIRECT_DB, "db")
      .replaceAll(SLUICE_DB, "db");
    out.push(JSON.parse(got) as Answer);
    await between();
  }
  return out;
}

beforeAll(async () => {
  await cluster.rootQuery(
    cluster.primary,
    `CREATE DATABASE IF NOT EXISTS ${DIRECT_DB}`,
    `CREATE DATABASE IF NOT EXISTS ${SLUICE_DB}`,
  );
});

afterAll(async () => {
  await cluster.rootQuery(
    cluster.primary,
    `DROP DATABASE IF EXISTS ${DIRECT_DB}`,
    `DROP DATABASE IF EXISTS ${SLUICE_DB}`,
  );
});

describe.each(["policies/default.policy", "policies/primary-only.policy"])(
  "random sessions through %s",
  (policy) => {
    let proxy: ProxyHandle;

    beforeAll(async () => {
      ({ proxy } = await startRoutedProxy(
        cluster,
        policy,
        { pool: { minIdle: 0, maxIdle: 1, maxPerServer: 2, acquireTimeoutMs: 20_000 } },
        { releaseAfterMs: 0 },
      ));
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it("answer as one server does, statement by statement, and store the same rows", async () => {
      await fc.assert(
        fc.asyncProperty(sessionScript(KINDS, 12), async (script) => {
          await resetTables();
          const direct = await mysql.createConnection({
            host: cluster.primary.host,
            port: cluster.primary.port,
            user: cluster.info.users.app.user,
            password: cluster.info.users.app.password,
            database: DIRECT_DB,
          });
          const through = await connectThrough(proxy, cluster, { database: SLUICE_DB });
          const other = await connectThrough(proxy, cluster, { database: SLUICE_DB });
          const otherTurn = async () => {
            await other.query("SELECT SQL_CALC_FOUND_ROWS id FROM t LIMIT 1");
            await other.query("SELECT CAST('9zz' AS SIGNED)");
          };
          try {
            const want = await run(direct, script, async () => undefined);
            const got = await run(through, script, otherTurn);
            expect(got).toEqual(want);
          } finally {
            await direct.end().catch(() => undefined);
            await through.end().catch(() => undefined);
            await other.end().catch(() => undefined);
          }
          await cluster.waitForReplication();
          expect(await finalRows(SLUICE_DB)).toEqual(await finalRows(DIRECT_DB));
        }),
        { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 240_000 },
      );
    }, 300_000);
  },
);
