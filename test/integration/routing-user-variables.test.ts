import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

const cluster = useCluster();
let proxy: ProxyHandle;
let primaryId: number;

beforeAll(async () => {
  ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy", {
    pool: { minIdle: 0, maxIdle: 16, maxPerServer: 16, acquireTimeoutMs: 20_000 },
  }));
  const conn = await cluster.connect(cluster.primary);
  await conn.query("DROP PROCEDURE IF EXISTS sluice_set_x");
  await conn.query("CREATE PROCEDURE sluice_set_x() SET @x = 42");
  await conn.query("CREATE TABLE IF NOT EXISTS sluice_uv (id INT PRIMARY KEY AUTO_INCREMENT)");
  const [rows] = await conn.query("SELECT @@server_id AS id");
  primaryId = Number((rows as { id: number }[])[0]!.id);
  await conn.end();
  await cluster.waitForReplication();
});

afterAll(async () => {
  await proxy?.close();
  const conn = await cluster.connect(cluster.primary);
  await conn.query("DROP PROCEDURE IF EXISTS sluice_set_x");
  await conn.query("DROP TABLE IF EXISTS sluice_uv");
  await conn.end();
});

/** One row's columns, and the server_id of the server that ran the statement. */
async function row(conn: mysql.Connection, sql: string): Promise<Record<string, unknown>> {
  const [rows] = await conn.query(sql);
  return (rows as Record<string, unknown>[])[0]!;
}

/**
 * User variables set where Sluice cannot copy the value (a procedure, SELECT … INTO @y) are read
 * on the connection that has it; reads of nothing of the kind are still split.
 */
describe("user variables whose value one connection holds (default.policy)", () => {
  it("reads what a procedure set where it ran; other reads still split, and then reading it is an error", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("CALL sluice_set_x()");
      expect(await row(conn, "SELECT @x AS x, @@server_id AS sid")).toEqual({ x: 42, sid: primaryId });
      // splitting is not lost: a read of no user variable still goes to a replica
      const plain = await row(conn, "SELECT 1 AS one, @@server_id AS sid");
      expect(plain.one).toBe(1);
      expect(plain.sid).not.toBe(primaryId);
      // the connection holding @x is gone now: an error, never a replica's NULL
      await expect(conn.query("SELECT @x")).rejects.toMatchObject({ errno: 1105 });
    } finally {
      await conn.end();
    }
  });

  it("SELECT … INTO @y (run on the primary by default.policy) is read off there, and reads split again", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("SELECT 7 INTO @y");
      const y = await row(conn, "SELECT @y + 1 AS y, @@server_id AS sid");
      expect(Number(y.y)).toBe(8);
      expect(y.sid).toBe(primaryId);
      // the value is read off the primary's connection when the session leaves it: a plain read
      // splits to a replica, where @y is the value the primary computed
      expect((await row(conn, "SELECT 1 AS one, @@server_id AS sid")).sid).not.toBe(primaryId);
      await conn.query("INSERT INTO sluice_uv VALUES ()");
      const again = await row(conn, "SELECT @y AS y, @@server_id AS sid");
      expect(Number(again.y)).toBe(7);
      expect(again.sid).not.toBe(primaryId);
      // a variable set to a literal is copied and read anywhere, as before
      await conn.query("SET @z = 5");
      expect(await row(conn, "SELECT @z AS z")).toEqual({ z: 5 });
    } finally {
      await conn.end();
    }
  });

  it("still copies a literal SET @z to whichever server reads it", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("SET @z = 5");
      const z = await row(conn, "SELECT @z AS z, @@server_id AS sid");
      expect(z.z).toBe(5);
      expect(z.sid).not.toBe(primaryId);
    } finally {
      await conn.end();
    }
  });
});
