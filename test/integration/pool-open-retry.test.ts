import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startTestProxy } from "./proxy-helpers.js";

/**
 * A backend connection the server closes while Sluice is still setting it up (the server's side
 * of a KILL of the user's threads, or a restart) must not fail the client's login: Sluice opens
 * another. A TCP relay in front of the primary closes the connections it is told to, before the
 * server's greeting, and relays the rest.
 */
const cluster = useCluster();
let relay: Server;
let relayPort = 0;
let proxy: ProxyHandle;
/** how many of the next connections the relay closes at once */
let closeNext = 0;
let closed = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  relay = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (closeNext > 0) {
      closeNext--;
      closed++;
      client.destroy();
      return;
    }
    const server = netConnect({ host: cluster.primary.host, port: cluster.primary.port });
    sockets.add(server);
    server.on("close", () => sockets.delete(server));
    client.pipe(server).pipe(client);
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const address = relay.address();
  relayPort = typeof address === "object" && address !== null ? address.port : 0;
  proxy = await startTestProxy(cluster, {
    servers: [{ name: "primary", host: "127.0.0.1", port: relayPort, role: "primary" }],
    pool: { minIdle: 0, maxIdle: 0 }, // every login opens a connection through the relay
  });
});

afterAll(async () => {
  await proxy?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => relay?.close(() => resolve()));
});

describe("opening a backend connection", () => {
  it("takes another when the server closes the new one during set-up, and the client never knows", async () => {
    closeNext = 2;
    const conn = await connectThrough(proxy, cluster);
    try {
      const [rows] = await conn.query("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      expect(closed).toBe(2);
    } finally {
      await conn.end();
    }
  });

  it("gives up after that (a login: error 1152): a server that keeps closing is unreachable", async () => {
    closeNext = 10;
    closed = 0;
    const err = await connectThrough(proxy, cluster).then(
      (c) => {
        c.destroy();
        return undefined;
      },
      (e: { errno?: number }) => e,
    );
    expect(err?.errno).toBe(1152);
    expect(closed).toBe(3);
    closeNext = 0;
  });
});
