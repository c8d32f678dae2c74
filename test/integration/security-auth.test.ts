import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import type { ProxyOptions } from "../../src/runtime/proxy-options.js";
import { makeSelfSignedPair } from "../../src/tls/self-signed.js";
import { useCluster } from "../support/cluster.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { handshakeResponse, nativeScramble, RawClient, seedOf } from "./proxy-raw-client.js";

const cluster = useCluster();
let proxy: ProxyHandle;
const extra: ProxyHandle[] = [];
const certs = makeSelfSignedPair(mkdtempSync(join(tmpdir(), "sluice-sec-tls-")));

beforeAll(async () => {
  // the many deliberate failures here must not block 127.0.0.1 for the other tests of this file
  proxy = await startTestProxy(cluster, { loginRateLimit: false });
});

afterEach(async () => {
  for (const p of extra.splice(0)) await p.close();
});

afterAll(async () => {
  await proxy?.close();
});

async function another(overrides: Partial<ProxyOptions>): Promise<ProxyHandle> {
  const p = await startTestProxy(cluster, overrides);
  extra.push(p);
  return p;
}

function quiet(conn: mysql.Connection): mysql.Connection {
  conn.on("error", () => {});
  return conn;
}

const denied = (user: string, usingPassword: boolean) =>
  `Access denied for user '${user}'@'127.0.0.1' (using password: ${usingPassword ? "YES" : "NO"})`;

describe("passwords", () => {
  it("refuses a wrong password, an empty one and an unknown user with the same 1045 text", async () => {
    const wrong = await rejectionOf(connectThrough(proxy, cluster, { password: "not-the-password" }));
    const empty = await rejectionOf(connectThrough(proxy, cluster, { password: "" }));
    const unknown = await rejectionOf(connectThrough(proxy, cluster, { user: "nobody", password: "x" }));
    for (const e of [wrong, empty, unknown]) {
      expect(e.errno).toBe(1045);
      expect(e.sqlState).toBe("28000");
    }
    expect(wrong.message).toBe(denied("app", true));
    expect(empty.message).toBe(denied("app", false));
    // an unknown user is indistinguishable from a known one with a wrong password
    expect(unknown.message).toBe(denied("nobody", true));
    expect(proxy.counters.authFailures).toBeGreaterThanOrEqual(3);
    // the right password still works (the test can fail in both directions)
    const ok = await connectThrough(proxy, cluster);
    await ok.end();
  });
});

/** Starts a login announcing `plugin`; returns the client and the seed of the AuthSwitchRequest. */
async function startSwitch(
  p: ProxyHandle,
  plugin: string,
  authData: Buffer,
): Promise<{ client: RawClient; greetingSeed: Buffer; switchSeed: Buffer }> {
  const client = await RawClient.open(p.host, p.port);
  const greeting = await client.read();
  if (greeting === undefined) throw new Error("no greeting");
  client.send(1, handshakeResponse(cluster.info.users.app.user, authData, plugin));
  const sw = await client.read();
  if (sw?.payload[0] !== 0xfe) throw new Error(`expected an AuthSwitchRequest, got ${sw?.payload[0]}`);
  const nameEnd = sw.payload.indexOf(0, 1);
  expect(sw.payload.toString("latin1", 1, nameEnd)).toBe("mysql_native_password");
  const switchSeed = sw.payload.subarray(nameEnd + 1, nameEnd + 21);
  return { client, greetingSeed: seedOf(greeting.payload), switchSeed };
}

async function loginResult(client: RawClient): Promise<number | "ok" | "closed"> {
  const r = await client.read();
  client.close();
  if (r === undefined) return "closed";
  return r.payload[0] === 0 ? "ok" : r.payload.readUInt16LE(1);
}

describe("auth-switch tricks", () => {
  const { password } = { password: "app-secret" };

  it("answering the switch correctly logs in (the control case)", async () => {
    expect(cluster.info.users.app.password).toBe(password);
    const { client, switchSeed } = await startSwitch(proxy, "caching_sha2_password", Buffer.alloc(0));
    client.send(3, [...nativeScramble(password, switchSeed)]);
    expect(await loginResult(client)).toBe("ok");
  });

  it("garbage, an empty answer, another plugin's packet or a clear-text password in the answer are refused", async () => {
    const answers: [string, number[]][] = [
      ["garbage", [1, 2, 3, 4, 5]],
      ["empty", []],
      ["another plugin", [...Buffer.from("client_ed25519\0"), ...new Array(32).fill(7)]],
      ["clear password", [...Buffer.from(`${password}\0`)]],
      ["21 bytes", [...new Array(21).fill(0x41)]],
    ];
    for (const [label, answer] of answers) {
      const { client } = await startSwitch(proxy, "caching_sha2_password", Buffer.alloc(0));
      client.send(3, answer);
      expect([label, await loginResult(client)]).toEqual([label, 1045]);
    }
  });

  it("a client offering mysql_clear_password with the password in clear is switched, never accepted", async () => {
    const { client, greetingSeed } = await startSwitch(
      proxy,
      "mysql_clear_password",
      Buffer.from(`${password}\0`),
    );
    // replaying the clear password, or a scramble made with the greeting's seed, must not pass
    // unless it is the scramble of the switch's seed (Sluice reuses the greeting seed: check both)
    client.send(3, [...Buffer.from(`${password}\0`)]);
    expect(await loginResult(client)).toBe(1045);
    const second = await startSwitch(proxy, "mysql_clear_password", Buffer.from(password));
    second.client.send(3, [...nativeScramble("wrong", greetingSeed)]);
    expect(await loginResult(second.client)).toBe(1045);
  });

  it("a scramble computed for another seed is refused", async () => {
    const { client, switchSeed } = await startSwitch(proxy, "caching_sha2_password", Buffer.alloc(0));
    const otherSeed = Buffer.from(switchSeed.map((b) => (b === 0x7e ? 0x21 : b + 1)));
    client.send(3, [...nativeScramble(password, otherSeed)]);
    expect(await loginResult(client)).toBe(1045);
  });
});

describe("COM_CHANGE_USER", () => {
  it("to another user with a wrong password fails with 1045 and ends the session", async () => {
    const conn = quiet(await connectThrough(proxy, cluster));
    const { monitor } = cluster.info.users;
    const err = await rejectionOf(conn.changeUser({ user: monitor.user, password: "wrong" }));
    expect(err.errno).toBe(1045);
    expect(err.message).toBe(denied("monitor", true));
    const after = await rejectionOf(conn.query("SELECT CURRENT_USER() AS u"));
    expect(after.message).toMatch(/closed|state|lost/i);
  });

  it("to an unknown user fails the same way; with the right password it switches (control)", async () => {
    const conn = quiet(await connectThrough(proxy, cluster));
    const err = await rejectionOf(conn.changeUser({ user: "nobody", password: "x" }));
    expect(err.message).toBe(denied("nobody", true));
    const good = await connectThrough(proxy, cluster);
    const { monitor } = cluster.info.users;
    await good.changeUser({ user: monitor.user, password: monitor.password });
    const [rows] = await good.query("SELECT CURRENT_USER() AS u");
    expect(rows).toEqual([{ u: "monitor@%" }]);
    await good.end();
  });
});

describe("TLS required per user", () => {
  const tlsOnlyApp = (): Partial<ProxyOptions> => {
    const { app, monitor } = cluster.info.users;
    return {
      tls: certs,
      loginRateLimit: false,
      users: [
        { name: app.user, password: app.password, requireTls: true },
        { name: monitor.user, password: monitor.password },
      ],
    };
  };

  it("refuses the user without TLS with 1045 (as MariaDB does for REQUIRE SSL), accepts it over TLS", async () => {
    const p = await another(tlsOnlyApp());
    const plain = await rejectionOf(connectThrough(p, cluster));
    expect(plain.errno).toBe(1045);
    expect(plain.message).toBe(denied("app", true));
    const secure = await connectThrough(p, cluster, { ssl: { rejectUnauthorized: false } });
    const [rows] = await secure.query("SELECT 'tls' AS t");
    expect(rows).toEqual([{ t: "tls" }]);
    await secure.end();
    // other users are not affected
    const { monitor } = cluster.info.users;
    const other = await connectThrough(p, cluster, { user: monitor.user, password: monitor.password });
    await other.end();
  });

  it("COM_CHANGE_USER on a plain connection cannot reach the TLS-only user", async () => {
    const p = await another(tlsOnlyApp());
    const { app, monitor } = cluster.info.users;
    const conn = quiet(await connectThrough(p, cluster, { user: monitor.user, password: monitor.password }));
    const err = await rejectionOf(conn.changeUser({ user: app.user, password: app.password }));
    expect(err.errno).toBe(1045);
  });

  it("the listener-wide tls.required answers plain clients with 3159", async () => {
    const p = await another({ tls: { ...certs, required: true }, loginRateLimit: false });
    const err = await rejectionOf(connectThrough(p, cluster));
    expect(err.errno).toBe(3159);
    expect(err.message).toBe("Connections using insecure transport are prohibited");
  });
});

describe("failed-login rate limiting per client address", () => {
  const limit = { maxFailures: 3, windowMs: 60_000, blockMs: 1_500 };

  it("blocks the address with 1129 after maxFailures, even for the right password, then lets it in again", async () => {
    const p = await another({ loginRateLimit: limit });
    for (let i = 0; i < 3; i++) {
      const e = await rejectionOf(connectThrough(p, cluster, { password: `guess-${i}` }));
      expect(e.errno).toBe(1045);
    }
    const blocked = await rejectionOf(connectThrough(p, cluster));
    expect(blocked.errno).toBe(1129);
    expect(blocked.message).toMatch(
      /^Host '127\.0\.0\.1' is blocked by Sluice after 3 failed logins; try again in [12]s$/,
    );
    await new Promise((r) => setTimeout(r, 1_700));
    const conn = await connectThrough(p, cluster);
    await conn.end();
  });

  it("counts COM_CHANGE_USER failures and refuses change-user attempts from a blocked address", async () => {
    const p = await another({ loginRateLimit: limit });
    const { monitor } = cluster.info.users;
    for (let i = 0; i < 3; i++) {
      const conn = quiet(await connectThrough(p, cluster));
      const e = await rejectionOf(conn.changeUser({ user: monitor.user, password: `guess-${i}` }));
      expect(e.errno).toBe(1045);
    }
    const blocked = await rejectionOf(connectThrough(p, cluster));
    expect(blocked.errno).toBe(1129);
    await waitFor("every session to end", () => p.counters.activeSessions === 0);
  });

  it("a blocked address costs no password check and no backend connection", async () => {
    const p = await another({ loginRateLimit: { ...limit, blockMs: 60_000 } });
    for (let i = 0; i < 3; i++) await rejectionOf(connectThrough(p, cluster, { password: "nope" }));
    const before = p.poolCounters.opened;
    const c = await RawClient.open(p.host, p.port);
    const first = await c.read();
    // the error comes instead of the greeting: no seed, nothing to brute-force
    expect(first?.seq).toBe(0);
    expect(first?.payload[0]).toBe(0xff);
    expect(first?.payload.readUInt16LE(1)).toBe(1129);
    expect(await c.read()).toBeUndefined();
    expect(p.poolCounters.opened).toBe(before);
  });
});
