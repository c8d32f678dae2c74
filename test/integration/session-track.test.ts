import { execFile } from "node:child_process";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generalLogFile } from "../../src/cluster/server-process.js";
import { Capability } from "../../src/protocol/constants.js";
import { isFinished, startTracking, trackFrame } from "../../src/protocol/response-tracker.js";
import { okSessionChanges } from "../../src/protocol/session-track.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { type Counters, delta as counterDelta, counters as counterSnapshot } from "./counter-deltas.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";
import { handshakeResponse, nativeScramble, RawClient, seedOf } from "./proxy-raw-client.js";

/**
 * Session tracking: every backend connection is opened with CLIENT_SESSION_TRACK and Sluice's
 * trackers, and the OK packets tell Sluice the last GTID, the database, variables and the
 * transaction state, so causal reads need no extra `SELECT @@last_gtid` and state changed where
 * the classifier cannot see (procedures, EXECUTE) follows the session to the replicas.
 */
const cluster = useCluster();
const run = promisify(execFile);
let proxy: ProxyHandle;

const counters = (): Promise<Counters> => counterSnapshot(cluster);
const delta = (before: Counters, after: Counters, name: string) => counterDelta(cluster, before, after, name);

const POOL = { minIdle: 0, maxIdle: 16, maxPerServer: 16, acquireTimeoutMs: 20_000 };

beforeAll(async () => {
  ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy", { pool: POOL }));
  const db = cluster.info.database;
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${db}.tracked (id INT AUTO_INCREMENT PRIMARY KEY, v INT)`,
    `INSERT INTO ${db}.tracked (v) VALUES (1), (2), (3)`,
    // a procedure that changes the caller's database (USE itself is not allowed in procedures)
    `CREATE OR REPLACE PROCEDURE ${db}.go_mysql() EXECUTE IMMEDIATE 'USE mysql'`,
    `CREATE OR REPLACE PROCEDURE ${db}.set_things() BEGIN SET time_zone = '+02:00'; SET SESSION sql_mode = 'ANSI_QUOTES'; END`,
    "CREATE DATABASE IF NOT EXISTS track_other",
    // runs in its own database while called, and MariaDB switches back to the caller's after
    "CREATE OR REPLACE PROCEDURE track_other.where_am_i() SELECT DATABASE() AS inside",
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await proxy?.close();
  await cluster.rootQuery(
    cluster.primary,
    "DROP DATABASE IF EXISTS track_other",
    "DROP DATABASE IF EXISTS track_dropped",
  );
});

describe("causal reads from the server's last_gtid", () => {
  it("reads its own writes from the replicas without a SELECT @@last_gtid on the primary", async () => {
    for (const flags of [[], ["-SESSION_TRACK"]]) {
      const conn = await connectThrough(proxy, cluster, { flags });
      const before = await counters();
      const writes = 150;
      for (let i = 0; i < writes; i++) {
        const [ins] = await conn.query("INSERT INTO tracked (v) VALUES (?)", [1000 + i]);
        const id = (ins as { insertId: number }).insertId;
        const [rows] = await conn.query("SELECT v FROM tracked WHERE id = ?", [id]);
        expect(rows).toEqual([{ v: 1000 + i }]);
      }
      const after = await counters();
      await conn.end();
      // every read ran on a replica after its MASTER_GTID_WAIT there (two SELECTs each), and the
      // primary ran no SELECT at all
      expect(delta(before, after, "Com_select")).toEqual({ primary: 0, replicas: 2 * writes });
      expect(delta(before, after, "Com_insert").primary).toBe(writes);
    }
  });

  it("reads its own binary-protocol writes (mysql2 execute) from the replicas", async () => {
    const conn = await connectThrough(proxy, cluster);
    const before = await counters();
    for (let i = 0; i < 150; i++) {
      const [ins] = await conn.execute("INSERT INTO tracked (v) VALUES (?)", [2000 + i]);
      const [rows] = await conn.execute("SELECT v FROM tracked WHERE id = ?", [
        (ins as { insertId: number }).insertId,
      ]);
      expect(rows).toEqual([{ v: 2000 + i }]);
    }
    const after = await counters();
    await conn.end();
    // every read ran on a replica (after waiting there for the session's last write)
    expect(delta(before, after, "Com_stmt_execute")).toEqual({ primary: 150, replicas: 150 });
  });

  it("leaves no @@last_gtid read in the primary's general log", async () => {
    const logPath = generalLogFile(cluster.primary);
    const offset = sizeOf(logPath);
    await cluster.rootQuery(cluster.primary, "SET GLOBAL general_log = 1");
    try {
      const conn = await connectThrough(proxy, cluster);
      for (let i = 0; i < 10; i++) {
        await conn.query("UPDATE tracked SET v = v + 1 WHERE id = 1");
        await conn.query("SELECT v FROM tracked WHERE id = 1");
      }
      await conn.end();
    } finally {
      await cluster.rootQuery(cluster.primary, "SET GLOBAL general_log = 0");
    }
    const log = readFrom(logPath, offset);
    expect(log.match(/UPDATE tracked SET v = v \+ 1/g)?.length).toBe(10);
    expect(log).not.toMatch(/last_gtid/i);
  });
});

describe("state changed where the classifier cannot see follows the session", () => {
  it("a database chosen inside a stored procedure: the next read runs there on a replica", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("CALL go_mysql()");
      const before = await counters();
      const [rows] = await conn.query("SELECT DATABASE() AS db, COUNT(*) > 0 AS has FROM user");
      // the one SELECT on the primary is Sluice reading what the procedure may have left for a
      // later LAST_INSERT_ID(), FOUND_ROWS() or ROW_COUNT() before the session leaves it
      expect(delta(before, await counters(), "Com_select")).toEqual({ primary: 1, replicas: 1 });
      expect(rows).toEqual([{ db: "mysql", has: 1 }]);
    } finally {
      await conn.end();
    }
  });

  it("a database chosen by EXECUTE IMMEDIATE: reads on replicas and on the primary run there", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("EXECUTE IMMEDIATE 'USE mysql'");
      const [rows] = await conn.query("SELECT DATABASE() AS db");
      expect(rows).toEqual([{ db: "mysql" }]);
      const [here] = await conn.query("/* sluice: route=primary */ SELECT DATABASE() AS db");
      expect(here).toEqual([{ db: "mysql" }]);
    } finally {
      await conn.end();
    }
  });

  it("the next session on a connection whose database changed out of sight gets its own database", async () => {
    const own = await startRoutedProxy(cluster, "policies/default.policy", { pool: POOL });
    try {
      const onPrimary = async (conn: mysql.Connection) => {
        const [rows] = await conn.query(
          "/* sluice: route=primary */ SELECT CONNECTION_ID() AS id, DATABASE() AS db",
        );
        return (rows as { id: number; db: string | null }[])[0]!;
      };
      const first = await connectThrough(own.proxy, cluster);
      const before = await onPrimary(first);
      await first.query("EXECUTE IMMEDIATE 'USE mysql'");
      await first.end();
      await waitFor(() => own.proxy.busyBackendConnections("primary") === 0);
      const second = await connectThrough(own.proxy, cluster);
      const after = await onPrimary(second);
      await second.end();
      expect(after).toEqual({ id: before.id, db: cluster.info.database });
    } finally {
      await own.proxy.close();
    }
  });

  it("a procedure of another database leaves the caller's database (the last report wins)", async () => {
    const conn = await connectThrough(proxy, cluster, { multipleStatements: true });
    try {
      const [results] = await conn.query("CALL track_other.where_am_i()");
      expect((results as unknown[])[0]).toEqual([{ inside: "track_other" }]);
      const [rows] = await conn.query("SELECT DATABASE() AS db");
      expect(rows).toEqual([{ db: cluster.info.database }]);
    } finally {
      await conn.end();
    }
  });

  it("dropping the session's database: the next read on a replica does not look for it", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("CREATE DATABASE track_dropped");
      await conn.query("USE track_dropped");
      await conn.query("DROP DATABASE track_dropped");
      const before = await counters();
      // (not "null": a pooled connection keeps the last database selected on it, since
      // COM_RESET_CONNECTION does not clear it and nothing can select "no database")
      const [rows] = await conn.query("SELECT DATABASE() AS db");
      expect((rows as { db: string | null }[])[0]?.db).not.toBe("track_dropped");
      // the read and its MASTER_GTID_WAIT for the DROP
      expect(delta(before, await counters(), "Com_select")).toEqual({ primary: 0, replicas: 2 });
      await conn.query(`USE ${cluster.info.database}`);
      const [back] = await conn.query("SELECT COUNT(*) > 0 AS has FROM tracked");
      expect(back).toEqual([{ has: 1 }]);
    } finally {
      await conn.end();
    }
  });

  it("variables a stored procedure SETs reach the replica the next read runs on, as on one server", async () => {
    const sql = "SELECT @@time_zone AS tz, @@session.sql_mode AS mode";
    // on one server: time_zone stays +02:00, sql_mode is the caller's again (a procedure runs
    // with its own and MariaDB restores the caller's when it returns)
    const direct = await cluster.connect(cluster.primary);
    await direct.query("CALL set_things()");
    const [expected] = await direct.query(sql);
    await direct.end();
    expect((expected as { tz: string }[])[0]?.tz).toBe("+02:00");
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query("CALL set_things()");
      const before = await counters();
      const [rows] = await conn.query(sql);
      // primary: Sluice reading the procedure's results before leaving it (see above)
      expect(delta(before, await counters(), "Com_select")).toEqual({ primary: 1, replicas: 1 });
      expect(rows).toEqual(expected);
    } finally {
      await conn.end();
    }
  });
});

describe("clients with and without CLIENT_SESSION_TRACK", () => {
  // a Sluice of its own: earlier tests leave pooled connections in states (e.g. the ANSI_QUOTES
  // status flag MariaDB keeps after a procedure set sql_mode) a direct connection would not show
  let formats: ProxyHandle;
  beforeAll(async () => {
    ({ proxy: formats } = await startRoutedProxy(cluster, "policies/default.policy", { pool: POOL }));
  });
  afterAll(async () => {
    await formats?.close();
  });

  it("share one pool: the second client's statement runs on the connection the first gave back", async () => {
    const own = await startRoutedProxy(cluster, "policies/default.policy", { pool: POOL });
    try {
      const threadOf = async (conn: mysql.Connection) => {
        const [rows] = await conn.query("/* sluice: route=primary */ SELECT CONNECTION_ID() AS id");
        return (rows as { id: number }[])[0]!.id;
      };
      const tracking = await connectThrough(own.proxy, cluster);
      const first = await threadOf(tracking);
      await tracking.end();
      await waitFor(() => own.proxy.busyBackendConnections("primary") === 0);
      const plain = await connectThrough(own.proxy, cluster, { flags: ["-SESSION_TRACK"] });
      const second = await threadOf(plain);
      await plain.end();
      expect(second).toBe(first);
      const keys = new Set(own.proxy.poolStats().map((s) => `${s.key.user}/${s.key.profile}`));
      expect(keys.size).toBe(1);
    } finally {
      await own.proxy.close();
    }
  });

  it("a connection given back and reset keeps the IGNORE_SPACE its client flag put in sql_mode", async () => {
    const threadAndMode = async (conn: mysql.Connection) => {
      const [rows] = await conn.query(
        "/* sluice: route=primary */ SELECT CONNECTION_ID() AS id, @@session.sql_mode AS mode",
      );
      return (rows as { id: number; mode: string }[])[0]!;
    };
    const direct = await cluster.connect(cluster.primary);
    const expected = (await direct.query("SELECT @@session.sql_mode AS mode"))[0] as { mode: string }[];
    await direct.end();
    expect(expected[0]?.mode).toMatch(/IGNORE_SPACE/);
    const first = await connectThrough(formats, cluster);
    const before = await threadAndMode(first);
    // state a reset must undo, so the connection is reset on its way back
    await first.query("/* sluice: route=primary */ SET @left_behind = 1");
    await first.end();
    await waitFor(() => formats.busyBackendConnections("primary") === 0);
    const second = await connectThrough(formats, cluster);
    const after = await threadAndMode(second);
    await second.end();
    expect(after.id).toBe(before.id);
    expect(after.mode).toBe(expected[0]?.mode);
  });

  it("mysql2 gets the same OK packets as from the server directly, or the server's session state", async () => {
    const sql = "UPDATE tracked SET v = v WHERE id = 2";
    const { app } = cluster.info.users;
    const direct = await mysql.createConnection({
      host: cluster.primary.host,
      port: cluster.primary.port,
      user: app.user,
      password: app.password,
      database: cluster.info.database,
      flags: ["-SESSION_TRACK"],
    });
    const [viaServer] = await direct.query(sql);
    await direct.end();
    const plain = await connectThrough(formats, cluster, { flags: ["-SESSION_TRACK"] });
    const [viaSluice] = await plain.query(sql);
    await plain.end();
    const pick = (r: unknown) => {
      const { affectedRows, info, serverStatus, warningStatus, stateChanges } = r as Record<string, unknown>;
      return { affectedRows, info, serverStatus, warningStatus, stateChanges };
    };
    expect(pick(viaSluice)).toEqual(pick(viaServer));
    expect(pick(viaSluice).info).toBe("Rows matched: 1  Changed: 0  Warnings: 0");

    const tracking = await connectThrough(formats, cluster);
    await tracking.query("UPDATE tracked SET v = v + 1 WHERE id = 2");
    const [changed] = await tracking.query("UPDATE tracked SET v = v - 1 WHERE id = 2");
    await tracking.end();
    // last_gtid is tracked for Sluice, not by the server's default trackers: the client sees what
    // the server would have sent it (issue 23)
    const state = (changed as { stateChanges?: { systemVariables?: Record<string, string> } }).stateChanges;
    expect(state?.systemVariables?.last_gtid).toBeUndefined();
  });

  it("a raw client without SESSION_TRACK gets byte for byte the OK packets the server gives it", async () => {
    const statements = [
      "UPDATE tracked SET v = v WHERE id = 3",
      "SET time_zone = '+01:00'",
      "USE mysql",
      "BEGIN",
      "SELECT 1 FROM DUAL WHERE 1 = 0",
      "COMMIT",
    ];
    const server = cluster.primary;
    const direct = await rawLogin(server.host, server.port, false);
    const viaSluice = await rawLogin(formats.host, formats.port, false);
    try {
      for (const sql of statements) {
        const expected = await rawQuery(direct, sql);
        const got = await rawQuery(viaSluice, sql);
        expect({ sql, packets: got.map((p) => p.toString("hex")) }).toEqual({
          sql,
          packets: expected.map((p) => p.toString("hex")),
        });
      }
    } finally {
      direct.close();
      viaSluice.close();
    }
  });

  it("a raw client with SESSION_TRACK gets the session state in its OK packets", async () => {
    const client = await rawLogin(formats.host, formats.port, true);
    try {
      const [ok] = await rawQuery(client, "USE mysql");
      expect(okSessionChanges(ok!)).toContainEqual({ kind: "schema", schema: "mysql" });
    } finally {
      client.close();
    }
  });

  it("the mariadb CLI (which tracks sessions) gets its results and info through Sluice", async () => {
    const { app } = cluster.info.users;
    const { stdout } = await run(
      "mariadb",
      [
        "-h",
        formats.host,
        "-P",
        String(formats.port),
        "-u",
        app.user,
        `-p${app.password}`,
        "-vvv",
        cluster.info.database,
        "-e",
        "UPDATE tracked SET v = v WHERE id = 1; CALL go_mysql(); SELECT DATABASE() AS db",
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(stdout).toContain("Rows matched: 1  Changed: 0  Warnings: 0");
    expect(stdout).toContain("| mysql |");
  });
});

async function rawLogin(host: string, port: number, sessionTrack: boolean): Promise<RawClient> {
  const { app } = cluster.info.users;
  const client = await RawClient.open(host, port);
  const greeting = await client.read();
  if (greeting === undefined) throw new Error("no greeting");
  const response = handshakeResponse(
    app.user,
    nativeScramble(app.password, seedOf(greeting.payload)),
    "mysql_native_password",
    cluster.info.database,
  );
  // capability flags are the first four bytes (little-endian)
  const caps =
    Buffer.from(response.slice(0, 4)).readUInt32LE(0) | (sessionTrack ? Capability.SessionTrack : 0);
  const patched = Buffer.from(response);
  patched.writeUInt32LE(caps >>> 0, 0);
  client.send(1, [...patched]);
  const ok = await client.read();
  if (ok?.payload[0] !== 0) throw new Error(`login failed: ${ok?.payload.toString("latin1")}`);
  return client;
}

/** Sends one COM_QUERY and returns the payloads of its OK/EOF/ERR packets (rows and columns dropped). */
async function rawQuery(client: RawClient, sql: string): Promise<Buffer[]> {
  client.send(0, [0x03, ...Buffer.from(sql, "utf8")]);
  // the raw client's login asked for DEPRECATE_EOF, not SESSION_TRACK
  let state = startTracking(0x03, Capability.DeprecateEof);
  const out: Buffer[] = [];
  while (!isFinished(state)) {
    const p = await client.read();
    if (p === undefined) throw new Error("connection closed");
    const before = state.phase.kind;
    state = trackFrame(state, { payload: p.payload, continues: false });
    if (before !== "column-defs" && (isFinished(state) || before === "first")) out.push(p.payload);
  }
  return out;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readFrom(path: string, offset: number): string {
  const size = sizeOf(path);
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
