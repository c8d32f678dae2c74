import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { CASES } from "../classifier/statement-table.js";
import { useCluster } from "../support/cluster.js";

/**
 * Ask the server itself. Every statement of the classifier's table runs as the app user (no SUPER,
 * no READ_ONLY ADMIN) on a read_only replica; the server refuses whatever would change data with
 * ER_OPTION_PREVENTS_STATEMENT (1290) before it looks for the tables, so each refused statement must
 * be classified writes=true.
 *
 * Nothing here can change the replica's data: read_only stops the app user, and the statements run
 * in an empty database created on the primary for this test (so reads and the odd permitted
 * statement such as CREATE TEMPORARY TABLE find nothing to touch). Statements that would stop or
 * reconfigure the server if the privileges allowed them (KILL, SHUTDOWN, STOP SLAVE, FLUSH … READ
 * LOCK, SET GLOBAL, …) are marked `server: "skip"` in the table, with the reason.
 */
const cluster = useCluster();
const DB = "sluice_classifier_ro";
const ER_OPTION_PREVENTS_STATEMENT = 1290;

interface Outcome {
  readonly sql: string;
  readonly errno: number | null;
  readonly writes: boolean;
  /** the statement wrote an event to the replica's own binary log */
  readonly binlogged: boolean;
}

describe("classifier against a read_only replica", () => {
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    await cluster.rootQuery(cluster.primary, `DROP DATABASE IF EXISTS ${DB}`, `CREATE DATABASE ${DB}`);
    await cluster.waitForReplication();
    const replica = cluster.replicas[0];
    if (replica === undefined) throw new Error("the test cluster has no replica");
    const ro = await cluster.rootQuery(replica, "SELECT @@read_only AS ro");
    expect(Number(ro[0]?.ro)).toBe(1);
    const binlogPos = async (): Promise<string> =>
      String((await cluster.rootQuery(replica, "SELECT @@gtid_binlog_pos AS p"))[0]?.p ?? "");
    let pos = await binlogPos();
    for (const c of CASES) {
      if (c.server === "skip" || c.context !== undefined) continue;
      // a fresh connection per statement: XA, LOCK TABLES, GET_LOCK and the like leave session
      // state that would change how the next statement is treated
      const conn = await cluster.connect(replica, { database: DB, multipleStatements: true });
      let errno: number | null = null;
      try {
        await conn.query(c.sql);
      } catch (error) {
        errno = typeof error === "object" && error !== null && "errno" in error ? Number(error.errno) : -1;
      } finally {
        await conn.end().catch(() => undefined);
      }
      const after = await binlogPos();
      outcomes.push({ sql: c.sql, errno, writes: classify(c.sql).writes, binlogged: after !== pos });
      pos = after;
    }
  });

  afterAll(async () => {
    await cluster.rootQuery(cluster.primary, `DROP DATABASE IF EXISTS ${DB}`);
    await cluster.waitForReplication();
  });

  it("ran the table and the server refused a good share of it as writes", () => {
    expect(outcomes.length).toBeGreaterThan(300);
    const refused = outcomes.filter((o) => o.errno === ER_OPTION_PREVENTS_STATEMENT);
    expect(refused.length).toBeGreaterThan(60);
  });

  it("ran nothing that wrote to the replica's own binary log (that would break replication)", () => {
    expect(outcomes.filter((o) => o.binlogged).map((o) => o.sql)).toEqual([]);
  });

  it("classifies every statement the server refuses under read_only as writes=true", () => {
    const wrong = outcomes
      .filter((o) => o.errno === ER_OPTION_PREVENTS_STATEMENT && !o.writes)
      .map((o) => o.sql);
    expect(wrong).toEqual([]);
  });
});
