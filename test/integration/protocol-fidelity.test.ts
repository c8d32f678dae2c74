import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability, ServerStatus } from "../../src/protocol/constants.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startRoutedProxy } from "./proxy-helpers.js";
import { BASE_CAPS, type RawResponse, RawSession } from "./raw-session.js";

/**
 * Protocol-level fidelity (issue 23): what a session sees on the wire through Sluice is what one
 * MariaDB server shows it: status flags (COM_PING, EXECUTE), OK packets (session tracking only as
 * the client asked), binary-protocol results after a procedure's cursor, the client's bytes, KILL
 * and CONNECTION_ID(), the 1040 wording.
 */
const cluster = useCluster();
let proxy: ProxyHandle;
const POOL = { minIdle: 0, maxIdle: 8, maxPerServer: 8, acquireTimeoutMs: 10_000 };

beforeAll(async () => {
  ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy", { pool: POOL }));
  const db = cluster.info.database;
  await cluster.rootQuery(
    cluster.primary,
    `CREATE TABLE IF NOT EXISTS ${db}.pf_t1 (a INT)`,
    `CREATE TABLE IF NOT EXISTS ${db}.pf_plain (a INT)`,
    `DELETE FROM ${db}.pf_t1`,
    `INSERT INTO ${db}.pf_t1 VALUES (1), (2)`,
    `CREATE OR REPLACE PROCEDURE ${db}.ph() BEGIN DECLARE v INT; DECLARE c CURSOR FOR SELECT a FROM pf_t1; OPEN c; FETCH c INTO v; CLOSE c; SELECT 7 AS k; END`,
  );
  await cluster.waitForReplication();
});

afterAll(async () => {
  await proxy?.close();
});

type Target = "direct" | "sluice";

function open(target: Target, caps: number, collation = 45): Promise<RawSession> {
  const { app } = cluster.info.users;
  const where = target === "direct" ? cluster.primary : proxy;
  return RawSession.open(
    where.host,
    where.port,
    app.user,
    app.password,
    cluster.info.database,
    caps,
    collation,
  );
}

/** Runs `script` straight against the primary and through Sluice; both results. */
async function both<T>(caps: number, script: (s: RawSession) => Promise<T>): Promise<Record<Target, T>> {
  const out: Partial<Record<Target, T>> = {};
  for (const target of ["direct", "sluice"] as const) {
    const s = await open(target, caps);
    try {
      out[target] = await script(s);
    } finally {
      s.close();
    }
  }
  return out as Record<Target, T>;
}

describe("COM_PING answers with the session's status flags (case 8)", () => {
  it.each([
    ["classic EOF", BASE_CAPS],
    ["DEPRECATE_EOF + SESSION_TRACK", BASE_CAPS | Capability.DeprecateEof | Capability.SessionTrack],
  ])("%s", async (_name, caps) => {
    const seen = await both(caps, async (s) => {
      const flags: Record<string, number> = {};
      flags.fresh = await s.ping();
      await s.query("SET autocommit=0");
      flags.autocommitOff = await s.ping();
      await s.query("SELECT a FROM pf_t1 LIMIT 1");
      flags.implicitTransaction = await s.ping();
      await s.query("COMMIT");
      await s.query("SET autocommit=1");
      flags.autocommitOn = await s.ping();
      await s.query("START TRANSACTION READ ONLY");
      flags.readOnlyTransaction = await s.ping();
      await s.query("SELECT 1");
      flags.readOnlyAfterSelect = await s.ping();
      await s.query("COMMIT");
      await s.query("SET sql_mode='NO_BACKSLASH_ESCAPES'");
      flags.noBackslashEscapes = await s.ping();
      return flags;
    });
    expect(seen.sluice).toEqual(seen.direct);
    expect((seen.sluice.autocommitOff ?? -1) & ServerStatus.Autocommit).toBe(0);
    expect((seen.sluice.readOnlyTransaction ?? 0) & ServerStatus.InTransReadonly).toBe(
      ServerStatus.InTransReadonly,
    );
  });
});

describe("OK packets carry session tracking only as the client asked for it (case 5)", () => {
  const statements = [
    "SET @a=1",
    "SET time_zone='+01:00'",
    "SET sql_mode='ANSI_QUOTES'",
    "INSERT INTO pf_plain VALUES (1)",
    "USE mysql",
    `USE ${cluster.info.database}`,
    "START TRANSACTION",
    "COMMIT",
    "SELECT 1",
  ];
  it.each([
    ["without SESSION_TRACK", BASE_CAPS],
    ["without SESSION_TRACK, DEPRECATE_EOF", BASE_CAPS | Capability.DeprecateEof],
    ["with SESSION_TRACK", BASE_CAPS | Capability.SessionTrack],
    ["with SESSION_TRACK, DEPRECATE_EOF", BASE_CAPS | Capability.SessionTrack | Capability.DeprecateEof],
  ])("%s: the same OK packets as the server's", async (_name, caps) => {
    const seen = await both(caps, async (s) => {
      const out: string[] = [];
      for (const sql of statements) {
        const r = await s.query(sql);
        // the closing packet of each response, byte for byte
        out.push(`${sql} -> ${r.packets.at(-1)!.toString("hex")}`);
      }
      return out;
    });
    expect(seen.sluice).toEqual(seen.direct);
  });
});

describe("binary EXECUTE status flags after SET autocommit=0, under contention (case 10)", () => {
  /**
   * Each step's status flags (or error). Sessions end right after their last statement, while
   * Sluice may still be reading the results only their connection has (LAST_INSERT_ID(),
   * FOUND_ROWS()…) off it: that connection must reach the next session in step with its server,
   * or the next session reads the answers of other commands (other flags, a hang, a 2013).
   */
  async function script(s: RawSession): Promise<string[]> {
    const one = await s.prepare("SELECT 1");
    const table = await s.prepare("SELECT a FROM pf_t1 LIMIT 1");
    const insert = await s.prepare("INSERT INTO pf_plain VALUES (5)");
    const steps: [string, () => Promise<RawResponse>][] = [
      ["SET autocommit=0", () => s.query("SET autocommit=0")],
      ["execute SELECT 1", () => s.execute(one)],
      ["execute SELECT a FROM pf_t1", () => s.execute(table)],
      ["COMMIT", () => s.query("COMMIT")],
      ["execute SELECT 1 after COMMIT", () => s.execute(one)],
      ["execute INSERT", () => s.execute(insert)],
      ["ROLLBACK", () => s.query("ROLLBACK")],
      ["execute SELECT 1 after ROLLBACK", () => s.execute(one)],
      ["SET autocommit=1", () => s.query("SET autocommit=1")],
      ["execute SELECT 1 with autocommit", () => s.execute(one)],
    ];
    const out: string[] = [];
    for (const [name, step] of steps) {
      const r = await step();
      out.push(`${name}: ${r.status ?? r.error?.message}`);
      // a client's own pace: Sluice's release of a quiet connection may start in between
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    }
    return out;
  }

  it("reports what the server reports, session after session", async () => {
    const caps = BASE_CAPS | Capability.DeprecateEof | Capability.MultiStatements;
    const expected = (await both(caps, script)).direct;
    for (let round = 0; round < 5; round++) {
      const sessions = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const s = await open("sluice", caps);
          try {
            return await script(s);
          } finally {
            s.close();
          }
        }),
      );
      for (const steps of sessions) expect(steps).toEqual(expected);
    }
  });
});

describe("binary protocol after a stored procedure's cursor (CURSOR_EXISTS left set)", () => {
  it("CALL ph() as a prepared statement returns its result set", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      const [sets] = await conn.execute("CALL ph()");
      expect((sets as unknown as { k: number }[][])[0]).toEqual([{ k: 7 }]);
      // and the session goes on
      const [rows] = await conn.execute("SELECT 8 AS k");
      expect(rows).toEqual([{ k: 8 }]);
    } finally {
      await conn.end();
    }
  });
});

describe("the client's bytes reach every server as sent", () => {
  it("a latin1 statement re-prepared on another connection keeps its bytes", async () => {
    const conn = await connectThrough(proxy, cluster, { charset: "latin1_swedish_ci" });
    try {
      for (let i = 0; i < 3; i++) {
        const [rows] = await conn.execute("SELECT HEX('ü') AS h");
        expect(rows).toEqual([{ h: "FC" }]);
      }
    } finally {
      await conn.end();
    }
  });
});

describe("KILL and CONNECTION_ID()", () => {
  it("a KILL inside a multi-statement never reaches the backend untranslated", async () => {
    const { app } = cluster.info.users;
    const victim = await mysql.createConnection({
      host: cluster.primary.host,
      port: cluster.primary.port,
      user: app.user,
      password: app.password,
    });
    const killer = await connectThrough(proxy, cluster, { multipleStatements: true });
    try {
      const started = Date.now();
      const sleeping = victim.query("SELECT SLEEP(2) AS s");
      await new Promise((r) => setTimeout(r, 300));
      const err = await rejectionOf(killer.query(`KILL QUERY ${victim.threadId}; SELECT 1`));
      expect(err.errno).toBe(1105);
      expect(err.message).toMatch(/KILL/);
      const [rows] = await sleeping;
      // the other client's statement ran to its end: it was not killed
      expect(rows).toEqual([{ s: 0 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      const [after] = await killer.query("SELECT 1 AS one");
      expect(after).toEqual([{ one: 1 }]);
    } finally {
      await victim.end();
      await killer.end();
    }
  });

  it("CONNECTION_ID() is the id the handshake gave, statement after statement", async () => {
    const conn = await connectThrough(proxy, cluster);
    const other = await connectThrough(proxy, cluster);
    try {
      for (let i = 0; i < 4; i++) {
        const [rows] = await conn.query("SELECT CONNECTION_ID()");
        expect(rows).toEqual([{ "CONNECTION_ID()": conn.threadId }]);
        const [named] = await conn.query("select connection_id() as id;");
        expect(named).toEqual([{ id: conn.threadId }]);
        // other sessions move the backend connections around in between
        await other.query("SELECT 1");
        await conn.query("SELECT a FROM pf_t1 LIMIT 1");
      }
      // the binary protocol too (mysql2 execute: PREPARE, then EXECUTE)
      const [executed] = await conn.execute("SELECT CONNECTION_ID() AS id");
      expect(executed).toEqual([{ id: conn.threadId }]);
      // and a KILL QUERY of that id from another session finds it
      await other.query(`KILL QUERY ${conn.threadId}`);
    } finally {
      await conn.end();
      await other.end();
    }
  });
});

describe("Sluice's CONNECTION_ID() answer looks like the server's", () => {
  it.each([
    ["text", BASE_CAPS],
    ["text, DEPRECATE_EOF", BASE_CAPS | Capability.DeprecateEof],
  ])("%s: the same column definition and closing packets", async (_name, caps) => {
    const seen = await both(caps, async (s) => {
      const r = await s.query("SELECT CONNECTION_ID()");
      const row = r.packets.length - 2;
      // the row holds the id, which differs; everything else must not
      return {
        packets: r.packets.filter((_, i) => i !== row).map((p) => p.toString("hex")),
        id: r.packets[row]!.subarray(1).toString("latin1"),
      };
    });
    expect(seen.sluice.packets).toEqual(seen.direct.packets);
  });
});

describe("a pool limit reached says 'Too many connections' (1040, 08004)", () => {
  it("keeps the server's wording first, Sluice's detail after it", async () => {
    const limited = await startRoutedProxy(cluster, "policies/default.policy", {
      pool: { minIdle: 0, maxIdle: 1, maxPerServer: 1, acquireTimeoutMs: 300 },
    });
    const holder = await connectThrough(limited.proxy, cluster);
    try {
      await holder.query("START TRANSACTION");
      await holder.query("SELECT a FROM pf_t1 LIMIT 1");
      const err = await rejectionOf(connectThrough(limited.proxy, cluster));
      expect(err.errno).toBe(1040);
      expect(err.sqlState).toBe("08004");
      expect(err.message.startsWith("Too many connections")).toBe(true);
      expect(err.message).toMatch(/Sluice/);
      // a KILL needs a connection of its own on the target's server: the same answer
      const killErr = await rejectionOf(holder.query(`KILL QUERY ${holder.threadId}`));
      expect(killErr.errno).toBe(1040);
      expect(killErr.sqlState).toBe("08004");
      expect(killErr.message.startsWith("Too many connections")).toBe(true);
    } finally {
      await holder.end();
      await limited.proxy.close();
    }
  });
});

describe("the compressed protocol", () => {
  it("a client that sets COMPRESS although Sluice did not offer it is refused at login, saying why", async () => {
    const err = await rejectionOf(open("sluice", BASE_CAPS | Capability.Compress));
    // ERR 1043 (08S01) Bad handshake, before any compressed frame could be misread
    expect(err.message).toMatch(/ff1304.*08S01Bad handshake: .*compressed protocol/s);
  });

  it("the mariadb CLI with --compress connects uncompressed and gets its results", async () => {
    const { app } = cluster.info.users;
    const { stdout } = await promisify(execFile)(
      "mariadb",
      [
        "--compress",
        "-h",
        proxy.host,
        "-P",
        String(proxy.port),
        "-u",
        app.user,
        `-p${app.password}`,
        "-N",
        "-e",
        "SELECT 41 + 1",
      ],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(stdout.trim()).toBe("42");
  });
});
