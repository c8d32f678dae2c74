import fc from "fast-check";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { RawClient, rawLogin } from "./proxy-raw-client.js";

const cluster = useCluster();
let proxy: ProxyHandle;

beforeAll(async () => {
  proxy = await startTestProxy(cluster);
});

afterAll(async () => {
  await proxy?.close();
});

/** Backend thread ids on the primary running a statement that starts with `prefix`. */
async function threadsRunning(prefix: string): Promise<number[]> {
  const rows = await cluster.rootQuery(
    cluster.primary,
    `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '${prefix}%' AND ID <> CONNECTION_ID()`,
  );
  return rows.map((r) => Number(r.ID));
}

async function waitForThread(prefix: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const ids = await threadsRunning(prefix);
    if (ids[0] !== undefined) return ids[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no backend thread running ${prefix}`);
}

function quietly(conn: mysql.Connection): mysql.Connection {
  conn.on("error", () => {});
  return conn;
}

describe("KILL mapped from Sluice's connection id to the backend thread", () => {
  it("KILL QUERY interrupts the other session's statement and leaves it usable", async () => {
    const a = await connectThrough(proxy, cluster);
    const b = await connectThrough(proxy, cluster);
    const running = a.query("SELECT SLEEP(30) AS s").then(
      ([rows]) => ({ kind: "rows" as const, rows }),
      (e: { errno?: number }) => ({ kind: "error" as const, errno: e.errno }),
    );
    await waitForThread("SELECT SLEEP(30)");
    await b.query(`KILL QUERY ${a.threadId}`);
    const outcome = await running;
    // MariaDB ends an interrupted SLEEP with 1 (or error 1317 when the kill lands mid-statement)
    if (outcome.kind === "rows") expect(outcome.rows).toEqual([{ s: 1 }]);
    else expect(outcome.errno).toBe(1317);
    const [again] = await a.query("SELECT 'alive' AS x");
    expect(again).toEqual([{ x: "alive" }]);
    await Promise.all([a.end(), b.end()]);
  });

  it("KILL CONNECTION ends the target's session and its backend thread; unknown ids get 1094", async () => {
    const a = quietly(await connectThrough(proxy, cluster));
    const b = await connectThrough(proxy, cluster);
    const [[row]] = (await a.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
    await b.query(`KILL CONNECTION ${a.threadId}`);
    const err = await rejectionOf(a.query("SELECT 1"));
    expect(err.message).toMatch(/killed|closed|lost/i);
    const alive = await cluster.rootQuery(
      cluster.primary,
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${row!.t}`,
    );
    expect(Number(alive[0]?.n)).toBe(0);
    const unknown = await rejectionOf(b.query("KILL 987654"));
    expect(unknown.errno).toBe(1094);
    await b.end();
  });

  it("COM_PROCESS_KILL works the same way", async () => {
    const { app } = cluster.info.users;
    const target = await rawLogin(proxy.host, proxy.port, app.user, app.password);
    const killer = await rawLogin(proxy.host, proxy.port, app.user, app.password);
    killer.client.send(0, [
      0x0c,
      target.id & 0xff,
      (target.id >> 8) & 0xff,
      (target.id >> 16) & 0xff,
      target.id >>> 24,
    ]);
    const ok = await killer.client.read();
    expect(ok?.payload[0]).toBe(0x00);
    const last = await target.client.read();
    expect(last === undefined || last.payload.readUInt16LE(1) === 1927).toBe(true);
    killer.client.close();
    target.client.close();
  });
});

describe("robustness", () => {
  it("an out-of-sequence packet ends only that session, with an error", async () => {
    const { app } = cluster.info.users;
    const other = await connectThrough(proxy, cluster);
    const { client } = await rawLogin(proxy.host, proxy.port, app.user, app.password);
    client.send(5, [0x03, ...Buffer.from("SELECT 1")]);
    const err = await client.read();
    expect(err?.payload[0]).toBe(0xff);
    expect(err?.payload.readUInt16LE(1)).toBe(1835);
    expect(await client.read()).toBeUndefined();
    const [rows] = await other.query("SELECT 2 AS two");
    expect(rows).toEqual([{ two: 2 }]);
    await other.end();
  });

  it("garbage instead of a handshake response ends that connection only", async () => {
    const c = await RawClient.open(proxy.host, proxy.port);
    await c.read();
    c.send(1, [1, 2, 3]);
    const reply = await c.read();
    expect(reply === undefined || reply.payload[0] === 0xff).toBe(true);
    const ok = await connectThrough(proxy, cluster);
    await ok.end();
  });

  it("random bytes before and after login end only the sender's session", async () => {
    const { app } = cluster.info.users;
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { numRuns: 25, seed: 42 });
    for (const [i, garbage] of samples.entries()) {
      if (i % 2 === 0) {
        const c = await RawClient.open(proxy.host, proxy.port);
        await c.read();
        c.sendRaw(Buffer.from(garbage));
        c.close();
      } else {
        const { client } = await rawLogin(proxy.host, proxy.port, app.user, app.password);
        // unknown command bytes (0x20 and up) with random bodies, then raw garbage
        client.send(0, [0x20 + (garbage[0]! % 0xdf), ...garbage]);
        const reply = await client.read();
        expect(reply === undefined || reply.payload[0] === 0xff).toBe(true);
        client.sendRaw(Buffer.from(garbage));
        client.close();
      }
    }
    const conn = await connectThrough(proxy, cluster);
    const [rows] = await conn.query("SELECT 'still serving' AS s");
    expect(rows).toEqual([{ s: "still serving" }]);
    await conn.end();
  });

  it("a packet above maxPacketSize gets error 1153 and ends the session", async () => {
    const small = await startTestProxy(cluster, { maxPacketSize: 1024 * 1024 });
    try {
      const conn = quietly(await connectThrough(small, cluster));
      const err = await rejectionOf(conn.query(`SELECT '${"x".repeat(2 * 1024 * 1024)}' AS big`));
      expect(err.errno).toBe(1153);
      expect(small.counters.protocolErrors).toBe(1);
    } finally {
      await small.close();
    }
  });

  it("closes clients idle longer than clientIdleMs", async () => {
    const idle = await startTestProxy(cluster, { timeouts: { clientIdleMs: 300 } });
    try {
      const conn = quietly(await connectThrough(idle, cluster));
      await new Promise((r) => setTimeout(r, 900));
      const err = await rejectionOf(conn.query("SELECT 1"));
      expect(err.message).toMatch(/inactivity|closed|4031/i);
      expect(idle.counters.activeSessions).toBe(0);
    } finally {
      await idle.close();
    }
  });

  it("a backend dying mid-query gives the client an error; outside a transaction the session goes on", async () => {
    const conn = await connectThrough(proxy, cluster);
    const running = rejectionOf(conn.query("SELECT SLEEP(20), 42"));
    const thread = await waitForThread("SELECT SLEEP(20), 42");
    await cluster.rootQuery(cluster.primary, `KILL CONNECTION ${thread}`);
    const err = await running;
    expect([1927, 2013]).toContain(err.errno);
    const [rows] = await conn.query("SELECT 'recovered' AS r");
    expect(rows).toEqual([{ r: "recovered" }]);
    await conn.end();
  });

  it("a backend dying inside a transaction ends the session after an error", async () => {
    const conn = quietly(await connectThrough(proxy, cluster));
    await conn.query("START TRANSACTION");
    const [[row]] = (await conn.query("SELECT @@pseudo_thread_id AS t")) as unknown as [{ t: number }[]];
    await cluster.rootQuery(cluster.primary, `KILL CONNECTION ${row!.t}`);
    await new Promise((r) => setTimeout(r, 100));
    const err = await rejectionOf(conn.query("SELECT 1"));
    expect(err.message).toMatch(/transaction was lost|closed|lost/i);
  });
});
