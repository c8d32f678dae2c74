import type mysql from "mysql2/promise";
import { afterEach, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import type { ProxyOptions } from "../../src/runtime/proxy-options.js";
import { useCluster } from "../support/cluster.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { RawClient, rawLogin } from "./proxy-raw-client.js";

const cluster = useCluster();
const open: mysql.Connection[] = [];
const proxies: ProxyHandle[] = [];

async function proxyWith(overrides: Partial<ProxyOptions>): Promise<ProxyHandle> {
  const p = await startTestProxy(cluster, overrides);
  proxies.push(p);
  return p;
}

async function connect(
  p: ProxyHandle,
  options: Partial<mysql.ConnectionOptions> = {},
): Promise<mysql.Connection> {
  const conn = await connectThrough(p, cluster, options);
  conn.on("error", () => {});
  open.push(conn);
  return conn;
}

afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  for (const p of proxies.splice(0)) await p.close();
});

describe("global limit of client connections", () => {
  it("refuses the connection above maxClientConnections with 1040 and accepts again once one leaves", async () => {
    const p = await proxyWith({ maxClientConnections: 3 });
    const held = [await connect(p), await connect(p), await connect(p)];
    const err = await rejectionOf(connect(p));
    expect(err.errno).toBe(1040);
    expect(err.sqlState).toBe("08004");
    expect(err.message).toBe("Too many connections");
    expect(p.counters.clientsRejected).toBe(1);
    await held[0]!.end();
    await waitFor("the session to end", () => p.counters.activeSessions === 2);
    const again = await connect(p);
    const [rows] = await again.query("SELECT 'in' AS x");
    expect(rows).toEqual([{ x: "in" }]);
  });
});

describe("per-user limit of client connections", () => {
  const limited = (): Partial<ProxyOptions> => {
    const { app, monitor } = cluster.info.users;
    return {
      maxUserConnections: 5,
      users: [
        { name: app.user, password: app.password, maxConnections: 2 },
        { name: monitor.user, password: monitor.password },
      ],
    };
  };

  it("refuses the user's connection above its limit with 1203 while other users still get in", async () => {
    const p = await proxyWith(limited());
    await connect(p);
    const second = await connect(p);
    const err = await rejectionOf(connect(p));
    expect(err.errno).toBe(1203);
    expect(err.sqlState).toBe("42000");
    expect(err.message).toBe("User app already has more than 'max_user_connections' active connections");
    expect(p.userConnections("app")).toBe(2);
    const { monitor } = cluster.info.users;
    const other = await connect(p, { user: monitor.user, password: monitor.password });
    const [rows] = await other.query("SELECT CURRENT_USER() AS u");
    expect(rows).toEqual([{ u: "monitor@%" }]);
    await second.end();
    await waitFor("the slot to free", () => p.userConnections("app") === 1);
    await connect(p);
    expect(p.userConnections("app")).toBe(2);
  });

  it("applies the default maxUserConnections to users without their own, and counts COM_CHANGE_USER", async () => {
    const p = await proxyWith(limited());
    const { app, monitor } = cluster.info.users;
    const monitors = [];
    for (let i = 0; i < 5; i++)
      monitors.push(await connect(p, { user: monitor.user, password: monitor.password }));
    const sixth = await rejectionOf(connect(p, { user: monitor.user, password: monitor.password }));
    expect(sixth.errno).toBe(1203);
    // app has room: a monitor session switching to app moves its slot
    const switcher = monitors[0]!;
    await switcher.changeUser({ user: app.user, password: app.password });
    expect(p.userConnections("app")).toBe(1);
    expect(p.userConnections("monitor")).toBe(4);
    await connect(p);
    // app is now at 2: another monitor session switching to app is refused with 1203
    const refused = await rejectionOf(monitors[1]!.changeUser({ user: app.user, password: app.password }));
    expect(refused.errno).toBe(1203);
    for (const c of open.splice(0)) c.destroy();
    await waitFor("every slot to free", () => p.userConnections("app") + p.userConnections("monitor") === 0);
  });
});

describe("backend connections per server: queue and timeout", () => {
  const small: Partial<ProxyOptions> = { pool: { maxPerServer: 2, acquireTimeoutMs: 1500, minIdle: 0 } };

  it("queues a session when the server is at maxPerServer and serves it when a connection frees", async () => {
    const p = await proxyWith(small);
    const a = await connect(p);
    await connect(p);
    expect(p.openBackendConnections("primary")).toBe(2);
    const waiting = connect(p);
    await waitFor("the third session to queue", () => p.poolCounters.waits > 0);
    await a.end();
    const c = await waiting;
    const [rows] = await c.query("SELECT 'served' AS s");
    expect(rows).toEqual([{ s: "served" }]);
    expect(p.openBackendConnections("primary")).toBeLessThanOrEqual(2);
  });

  it("fails a queued session after acquireTimeoutMs with a 1040 naming the server and the limit", async () => {
    const p = await proxyWith(small);
    await connect(p);
    await connect(p);
    const err = await rejectionOf(connect(p));
    expect(err.errno).toBe(1040);
    expect(err.message).toBe(
      "Too many connections: no connection to 'primary' became free within 1500 ms (Sluice pool limit)",
    );
    expect(p.poolCounters.timeouts).toBe(1);
    expect(p.openBackendConnections("primary")).toBe(2);
  });
});

describe("max packet size", () => {
  it("answers a packet above maxPacketSize with 1153 and ends only that session", async () => {
    const p = await proxyWith({ maxPacketSize: 64 * 1024 });
    const bystander = await connect(p);
    const conn = await connect(p);
    const err = await rejectionOf(conn.query(`SELECT '${"x".repeat(100 * 1024)}' AS big`));
    expect(err.errno).toBe(1153);
    expect(err.message).toMatch(/max_allowed_packet.*\(102\d{3} > 65536\)/);
    const [rows] = await bystander.query("SELECT 'unaffected' AS s");
    expect(rows).toEqual([{ s: "unaffected" }]);
  });

  it("refuses a frame by its declared length, before its body arrives", async () => {
    const p = await proxyWith({ maxPacketSize: 64 * 1024 });
    const { app } = cluster.info.users;
    const { client } = await rawLogin(p.host, p.port, app.user, app.password);
    // a header announcing 16 MiB - 1 bytes, and only 2 of them
    client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0x00, 0x03, 0x20]));
    const reply = await client.read();
    expect(reply?.payload[0]).toBe(0xff);
    expect(reply?.payload.readUInt16LE(1)).toBe(1153);
    expect(await client.read()).toBeUndefined();
    client.close();
  });
});

describe("idle timeout", () => {
  it("disconnects a client idle longer than clientIdleMs with 4031", async () => {
    const p = await proxyWith({ timeouts: { clientIdleMs: 400 } });
    const { app } = cluster.info.users;
    const { client } = await rawLogin(p.host, p.port, app.user, app.password);
    const reply = await client.read(3000);
    expect(reply?.payload[0]).toBe(0xff);
    expect(reply?.payload.readUInt16LE(1)).toBe(4031);
    expect(reply?.payload.toString("utf8", 9)).toMatch(/disconnected by Sluice because of inactivity/);
    expect(await client.read()).toBeUndefined();
    // a driver sees the connection gone on its next statement
    const conn = await connect(p);
    await new Promise((r) => setTimeout(r, 800));
    const err = await rejectionOf(conn.query("SELECT 1"));
    expect(err.message).toMatch(/inactivity|closed|4031/i);
    await waitFor("the sessions to end", () => p.counters.activeSessions === 0);
    expect(p.busyBackendConnections("primary")).toBe(0);
  });

  it("gives a logged-in client that stalls in the middle of a packet 1159 (08S01), not the idle 4031", async () => {
    const p = await proxyWith({ timeouts: { clientIdleMs: 400 } });
    const { app } = cluster.info.users;
    const { client } = await rawLogin(p.host, p.port, app.user, app.password);
    client.sendRaw(Buffer.from([100, 0, 0, 0, 0x03, ...Buffer.from("SELECT")])); // 7 of 100 bytes
    const reply = await client.read(3000);
    expect(reply?.payload[0]).toBe(0xff);
    expect(reply?.payload.readUInt16LE(1)).toBe(1159);
    expect(reply?.payload.toString("latin1", 4, 9)).toBe("08S01");
    expect(reply?.payload.toString("utf8", 9)).toBe("Got timeout reading communication packets");
    expect(await client.read()).toBeUndefined();
    await waitFor("the session to end", () => p.counters.activeSessions === 0);
  });

  it("gives a client that never finishes its login a read timeout (1159), not a hung slot", async () => {
    const p = await proxyWith({ timeouts: { handshakeMs: 400 } });
    const c = await RawClient.open(p.host, p.port);
    await c.read();
    const reply = await c.read(3000);
    expect(reply?.payload.readUInt16LE(1)).toBe(1159);
    expect(await c.read()).toBeUndefined();
    expect(p.counters.activeSessions).toBe(0);
  });
});
