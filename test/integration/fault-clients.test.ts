import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type mysql from "mysql2/promise";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { readsTo } from "../support/fault-chooser.js";
import { expectPoolsAtBaseline, restoreCluster } from "../support/fault-cluster.js";
import { errorCategory, LedgerLoad } from "../support/fault-load.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { handshakeResponse, RawClient, rawLogin } from "./proxy-raw-client.js";

/**
 * Faults that come from the network and the clients rather than the servers: a backend that
 * accepts TCP and never answers, clients that stop reading or trickle bytes, connection storms.
 */
const cluster = useCluster();
const proxies: ProxyHandle[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

afterAll(async () => {
  await restoreCluster(cluster);
});

/** A "server" that accepts connections and never sends a byte (a hung host, a black-holed port). */
async function silentServer(): Promise<{ port: number; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server = createServer((s) => {
    open.add(s);
    s.on("error", () => {});
    s.on("close", () => open.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, open };
}

describe("a backend that accepts TCP and never answers", () => {
  it("as the primary: the login fails with a clear 1152 (08S01) after connectTimeoutMs, and no socket is left behind", async () => {
    const silent = await silentServer();
    const p = await startTestProxy(cluster, {
      servers: [{ name: "primary", host: "127.0.0.1", port: silent.port, role: "primary" }],
      pool: { connectTimeoutMs: 800 },
      serverVersion: "10.11.0-MariaDB",
    });
    proxies.push(p);
    const errors = await Promise.all([1, 2, 3].map(() => rejectionOf(connectThrough(p, cluster))));
    for (const err of errors) {
      // a login gets a server code: libmariadb shows 2003 from a server as "malformed packet"
      expect(err.errno).toBe(1152);
      expect(err.message).toBe(
        "Sluice cannot reach backend 'primary': login to primary timed out after 800 ms",
      );
    }
    await waitFor("Sluice to close its sockets to the silent server", () => silent.open.size === 0);
    expect(p.openBackendConnections("primary")).toBe(0);
    expect(p.counters.activeSessions).toBe(0);
  });

  it("as the replica serving reads: reads fail cleanly while writes on the same session go on", async () => {
    const silent = await silentServer();
    const servers = cluster.info.servers
      .filter((s) => s.role === "primary")
      .map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role }));
    const p = await startTestProxy(
      cluster,
      {
        servers: [...servers, { name: "blackhole", host: "127.0.0.1", port: silent.port, role: "replica" }],
        pool: { connectTimeoutMs: 600 },
      },
      { chooser: readsTo("blackhole") },
    );
    proxies.push(p);
    const conn = await connectThrough(p, cluster);
    await conn.query("CREATE TABLE IF NOT EXISTS fault_blackhole (id INT PRIMARY KEY)");
    const read = await rejectionOf(conn.query("SELECT 1"));
    expect(read.errno).toBe(2003);
    expect(read.message).toMatch(/^Sluice cannot reach backend 'blackhole': login to blackhole timed out/);
    await conn.query("INSERT INTO fault_blackhole VALUES (1)");
    await conn.query("DROP TABLE fault_blackhole");
    await conn.end();
    await waitFor("no socket left on the silent server", () => silent.open.size === 0);
    await expectPoolsAtBaseline(cluster, p, cluster.info.users.app.user);
  });
});

describe("slow clients", () => {
  it("a client that stops reading a 64 MB result holds back only its own backend connection", async () => {
    const p = await startTestProxy(cluster);
    proxies.push(p);
    const admin = await connectThrough(p, cluster);
    await LedgerLoad.createTable(admin, "fault_ledger_slow");
    await admin.end();
    const load = new LedgerLoad({
      connect: () => connectThrough(p, cluster),
      table: "fault_ledger_slow",
      writers: 2,
      readers: 1,
      thinkMs: 5,
    });
    load.start();
    const { app } = cluster.info.users;
    const { client } = await rawLogin(p.host, p.port, app.user, app.password, cluster.info.database);
    client.socket.pause(); // a client that stops reading
    client.send(0, [
      0x03,
      ...Buffer.from(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 64) SELECT n, REPEAT('x', 1000000) FROM s",
      ),
    ]);
    await waitFor("Sluice to pause the backend for the slow client", () => p.counters.backpressurePauses > 0);
    const before = load.tally.acknowledgedWrites;
    await waitFor("the other sessions to keep writing", () => load.tally.acknowledgedWrites > before + 50);
    client.close();
    expect(await load.stop()).toBe(true);
    expect(load.tally.errors).toEqual({});
    expect(
      await load.missingAcknowledged((sql) =>
        cluster.rootQuery(cluster.primary, `USE ${cluster.info.database}`, sql),
      ),
    ).toEqual([]);
    await expectPoolsAtBaseline(cluster, p, app.user);
    const drop = await connectThrough(p, cluster);
    await drop.query("DROP TABLE fault_ledger_slow");
    await drop.end();
  });

  it("a client trickling its handshake one byte at a time is cut off by the handshake timeout", async () => {
    const p = await startTestProxy(cluster, { timeouts: { handshakeMs: 800 } });
    proxies.push(p);
    const c = await RawClient.open(p.host, p.port);
    await c.read();
    const bytes = Buffer.from([
      60,
      0,
      0,
      1,
      ...handshakeResponse("app", Buffer.alloc(20, 1), "mysql_native_password"),
    ]);
    let i = 0;
    const trickle = setInterval(() => {
      if (i < bytes.length && !c.closed) c.sendRaw(bytes.subarray(i, ++i));
    }, 150);
    try {
      const reply = await c.read(5000);
      expect(reply?.payload.readUInt16LE(1)).toBe(1159);
      expect(await c.read(5000)).toBeUndefined();
    } finally {
      clearInterval(trickle);
      c.close();
    }
    await waitFor("the slot to free", () => p.counters.activeSessions === 0);
  });
});

describe("connection storms", () => {
  it("150 simultaneous connects over the limits: each gets in or gets 1040; running sessions are unaffected", async () => {
    const p = await startTestProxy(cluster, {
      maxClientConnections: 60,
      pool: { maxPerServer: 40, acquireTimeoutMs: 2000 },
    });
    proxies.push(p);
    const admin = await connectThrough(p, cluster);
    await LedgerLoad.createTable(admin, "fault_ledger_storm");
    await admin.end();
    const load = new LedgerLoad({
      connect: () => connectThrough(p, cluster),
      table: "fault_ledger_storm",
      writers: 2,
      readers: 0,
      thinkMs: 5,
    });
    load.start();
    await waitFor("the load to start", () => load.tally.acknowledgedWrites > 5);
    const outcomes: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: 150 }, async () => {
        let conn: mysql.Connection | undefined;
        try {
          conn = await connectThrough(p, cluster, { connectTimeout: 10_000 });
          await conn.query("SELECT SLEEP(0.2)");
          outcomes.ok = (outcomes.ok ?? 0) + 1;
        } catch (e) {
          const k = errorCategory(e);
          outcomes[k] = (outcomes[k] ?? 0) + 1;
        } finally {
          await conn?.end().catch(() => {});
        }
      }),
    );
    process.stderr.write(`[fault] storm outcomes: ${JSON.stringify(outcomes)}\n`);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(Object.keys(outcomes).filter((k) => k !== "ok" && !k.startsWith("1040"))).toEqual([]);
    await sleep(200);
    expect(await load.stop()).toBe(true);
    expect(load.tally.errors).toEqual({});
    expect(
      await load.missingAcknowledged((sql) =>
        cluster.rootQuery(cluster.primary, `USE ${cluster.info.database}`, sql),
      ),
    ).toEqual([]);
    await expectPoolsAtBaseline(cluster, p, cluster.info.users.app.user);
    const drop = await connectThrough(p, cluster);
    await drop.query("DROP TABLE fault_ledger_storm");
    await drop.end();
  });
});
