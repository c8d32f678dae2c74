import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";

const cluster = useCluster();
let proxy: ProxyHandle;
let conn: mysql.Connection;

beforeAll(async () => {
  proxy = await startTestProxy(cluster);
  conn = await connectThrough(proxy, cluster, { multipleStatements: true });
  await conn.query(
    "CREATE TABLE IF NOT EXISTS proxy_q (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20), b LONGBLOB)",
  );
  await conn.query("TRUNCATE proxy_q");
});

afterAll(async () => {
  await conn?.end();
  await proxy?.close();
});

const sha1 = (b: Buffer) => createHash("sha1").update(b).digest("hex");

describe("mysql2 through Sluice, everything on the primary", () => {
  it("runs text queries on the primary", async () => {
    const [rows] = await conn.query("SELECT @@server_id AS id, 'héllo' AS s, NULL AS n");
    const primaryId = cluster.primary.serverId;
    expect(rows).toEqual([{ id: primaryId, s: "héllo", n: null }]);
  });

  it("returns every result of a multi-statement, and stops at an error", async () => {
    const [results] = await conn.query(
      "SELECT 1 AS a; INSERT INTO proxy_q (v) VALUES ('x'),('y'); SELECT COUNT(*) AS c FROM proxy_q",
    );
    const list = results as unknown as [unknown[], mysql.ResultSetHeader, { c: number }[]];
    expect(list[0]).toEqual([{ a: 1 }]);
    expect(list[1].affectedRows).toBe(2);
    expect(list[2]).toEqual([{ c: 2 }]);
    const err = await rejectionOf(conn.query("SELECT 1; SELECT * FROM no_such_table; SELECT 3"));
    expect(err.errno).toBe(1146);
    const [after] = await conn.query("SELECT 'still usable' AS s");
    expect(after).toEqual([{ s: "still usable" }]);
  });

  it("reports warnings and SHOW WARNINGS sees them on the same backend", async () => {
    const [res] = await conn.query(
      "INSERT IGNORE INTO proxy_q (v) VALUES ('this value is far too long for the column')",
    );
    expect((res as mysql.ResultSetHeader).warningStatus).toBe(1);
    const [warnings] = await conn.query("SHOW WARNINGS");
    expect((warnings as { Code: number }[])[0]?.Code).toBe(1265);
  });

  it("answers COM_PING itself", async () => {
    const before = (await cluster.comCounters(cluster.primary)).Com_admin_commands ?? 0;
    await conn.ping();
    await conn.ping();
    const after = (await cluster.comCounters(cluster.primary)).Com_admin_commands ?? 0;
    expect(after - before).toBe(0);
  });

  it("runs prepared statements (binary protocol) repeatedly", async () => {
    for (const v of ["p1", "p2", "p3"]) await conn.execute("INSERT INTO proxy_q (v) VALUES (?)", [v]);
    const [rows] = await conn.execute("SELECT v FROM proxy_q WHERE v LIKE ? ORDER BY id", ["p%"]);
    expect(rows).toEqual([{ v: "p1" }, { v: "p2" }, { v: "p3" }]);
  });

  it("streams a 100,000-row result", async () => {
    const raw = (conn as unknown as { connection: { query(sql: string): { stream(): Readable } } })
      .connection;
    let count = 0;
    let sum = 0;
    for await (const row of raw.query("SELECT seq, REPEAT('r', 50) AS pad FROM seq_1_to_100000").stream()) {
      count++;
      sum += (row as { seq: number }).seq;
    }
    expect(count).toBe(100_000);
    expect(sum).toBe((100_000 * 100_001) / 2);
  });

  it("carries a 20 MiB BLOB both ways (packets above 16 MiB split and joined)", async () => {
    const blob = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < blob.length; i += 4096) blob.writeUInt32LE((i * 2654435761) >>> 0, i);
    const [ins] = await conn.execute("INSERT INTO proxy_q (v, b) VALUES ('blob', ?)", [blob]);
    const id = (ins as mysql.ResultSetHeader).insertId;
    const [check] = await conn.query("SELECT LENGTH(b) AS n, SHA1(b) AS h FROM proxy_q WHERE id = ?", [id]);
    expect(check).toEqual([{ n: blob.length, h: sha1(blob) }]);
    const [rows] = await conn.query("SELECT b FROM proxy_q WHERE id = ?", [id]);
    const back = (rows as { b: Buffer }[])[0]?.b;
    expect(back?.length).toBe(blob.length);
    expect(sha1(back!)).toBe(sha1(blob));
    const [bin] = await conn.execute("SELECT b FROM proxy_q WHERE id = ?", [id]);
    expect(sha1((bin as { b: Buffer }[])[0]!.b)).toBe(sha1(blob));
  });

  it("streams LOAD DATA LOCAL INFILE from the client to the primary", async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${100000 + i}\tline${i}\n`).join("");
    const [res] = await conn.query({
      sql: "LOAD DATA LOCAL INFILE 'virtual.tsv' INTO TABLE proxy_q (id, v)",
      infileStreamFactory: () => Readable.from([Buffer.from(lines)]),
    } as mysql.QueryOptions);
    expect((res as mysql.ResultSetHeader).affectedRows).toBe(5000);
    const [count] = await conn.query("SELECT COUNT(*) AS c FROM proxy_q WHERE v LIKE 'line%'");
    expect(count).toEqual([{ c: 5000 }]);
  });

  it("changes user (re-authenticating) and back", async () => {
    const { monitor, app } = cluster.info.users;
    await conn.changeUser({ user: monitor.user, password: monitor.password });
    const [as] = await conn.query("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS u");
    expect(as).toEqual([{ u: monitor.user }]);
    await conn.changeUser({ user: app.user, password: app.password, database: cluster.info.database });
    const [back] = await conn.query("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS u, DATABASE() AS d");
    expect(back).toEqual([{ u: app.user, d: cluster.info.database }]);
    const err = await rejectionOf(conn.changeUser({ user: app.user, password: "wrong" }));
    expect(err.errno).toBe(1045);
    conn = await connectThrough(proxy, cluster, { multipleStatements: true });
  });

  it("keeps transaction state on the pinned backend", async () => {
    await conn.query("START TRANSACTION");
    await conn.query("INSERT INTO proxy_q (v) VALUES ('trx')");
    await conn.query("ROLLBACK");
    const [rows] = await conn.query("SELECT COUNT(*) AS c FROM proxy_q WHERE v = 'trx'");
    expect(rows).toEqual([{ c: 0 }]);
  });
});
