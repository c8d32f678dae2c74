import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { makeSelfSignedPair } from "../../src/tls/self-signed.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { handshakeResponse, nativeScramble, RawClient, seedOf } from "./proxy-raw-client.js";

const cluster = useCluster();
// async: the proxy runs in this process, so a synchronous child would block it
const run = promisify(execFile);

async function cli(args: string[], input?: string): Promise<string> {
  const child = run("mariadb", args, { encoding: "utf8", timeout: 20_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return (await child).stdout;
}
const certs = makeSelfSignedPair(mkdtempSync(join(tmpdir(), "sluice-tls-")));
let proxy: ProxyHandle;

/** "*" + hex(SHA1(SHA1(pw))): what PASSWORD('pw') returns, computed independently of src/. */
function nativeHash(pw: string): string {
  const s1 = createHash("sha1").update(pw).digest();
  return `*${createHash("sha1").update(s1).digest("hex").toUpperCase()}`;
}

beforeAll(async () => {
  const { app, monitor } = cluster.info.users;
  proxy = await startTestProxy(cluster, {
    // the app user is configured by hash only: Sluice must learn the backend credential from a login
    users: [
      { name: app.user, passwordHash: nativeHash(app.password) },
      { name: monitor.user, password: monitor.password },
    ],
    tls: certs,
  });
});

afterAll(async () => {
  await proxy?.close();
});

describe("client authentication", () => {
  it("verifies a hash-only user and logs in to the primary with the recovered token", async () => {
    const conn = await connectThrough(proxy, cluster);
    const [rows] = await conn.query("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS u, @@server_id AS s");
    expect(rows).toEqual([{ u: cluster.info.users.app.user, s: cluster.primary.serverId }]);
    await conn.end();
  });

  it("the hash matches what the server itself computes", async () => {
    const [row] = await cluster.rootQuery(
      cluster.primary,
      `SELECT PASSWORD('${cluster.info.users.app.password}') AS h`,
    );
    expect(row?.h).toBe(nativeHash(cluster.info.users.app.password));
  });

  it("rejects a wrong password and an unknown user with the same 1045 error", async () => {
    const wrong = await rejectionOf(connectThrough(proxy, cluster, { password: "nope" }));
    const unknown = await rejectionOf(connectThrough(proxy, cluster, { user: "mallory", password: "nope" }));
    expect(wrong.errno).toBe(1045);
    expect(wrong.sqlState).toBe("28000");
    expect(wrong.message).toBe(
      `Access denied for user '${cluster.info.users.app.user}'@'127.0.0.1' (using password: YES)`,
    );
    expect(unknown.errno).toBe(1045);
    expect(unknown.message).toBe("Access denied for user 'mallory'@'127.0.0.1' (using password: YES)");
  });

  it("switches a client that starts with caching_sha2_password to mysql_native_password", async () => {
    const { app } = cluster.info.users;
    const c = await RawClient.open(proxy.host, proxy.port);
    const greeting = await c.read();
    expect(greeting?.seq).toBe(0);
    const seed = seedOf(greeting!.payload);
    c.send(
      1,
      handshakeResponse(app.user, Buffer.alloc(32, 1), "caching_sha2_password", cluster.info.database),
    );
    const sw = await c.read();
    expect(sw?.payload[0]).toBe(0xfe);
    expect(sw?.payload.subarray(1, 23).toString()).toBe("mysql_native_password\0");
    const switchSeed = sw!.payload.subarray(23, 43);
    expect(switchSeed.equals(seed)).toBe(true);
    c.send(sw!.seq + 1, [...nativeScramble(app.password, switchSeed)]);
    const ok = await c.read();
    expect(ok?.payload[0]).toBe(0x00);
    expect(ok?.seq).toBe(sw!.seq + 2);
    c.send(0, [0x01]); // COM_QUIT
    c.close();
  });

  it("answers the client beyond maxClientConnections with 1040", async () => {
    const small = await startTestProxy(cluster, { maxClientConnections: 2 });
    try {
      const held = await Promise.all([connectThrough(small, cluster), connectThrough(small, cluster)]);
      const err = await rejectionOf(connectThrough(small, cluster));
      expect(err.errno).toBe(1040);
      expect(small.counters.clientsRejected).toBe(1);
      await Promise.all(held.map((c) => c.end()));
    } finally {
      await small.close();
    }
  });
});

describe("TLS on the client side", () => {
  it("upgrades mysql2 after SSLRequest", async () => {
    const conn = await connectThrough(proxy, cluster, { ssl: { rejectUnauthorized: false } });
    const [rows] = await conn.query("SELECT 'over tls' AS s");
    expect(rows).toEqual([{ s: "over tls" }]);
    const stream = (conn as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream;
    expect(stream.encrypted).toBe(true);
    await conn.end();
  });

  it("runs a script with the mariadb CLI, plain and with --ssl", async () => {
    const { app } = cluster.info.users;
    const script =
      "SELECT 40 + 2 AS answer;\nSELECT @@server_id AS sid;\nSHOW SESSION STATUS LIKE 'Com_select';\n";
    for (const ssl of [[], ["--ssl", "--ssl-verify-server-cert=0"]]) {
      const out = await cli(
        [
          "-h",
          proxy.host,
          "-P",
          String(proxy.port),
          "-u",
          app.user,
          `-p${app.password}`,
          "--batch",
          ...ssl,
          cluster.info.database,
        ],
        script,
      );
      expect(out).toContain("answer\n42\n");
      expect(out).toContain(`sid\n${cluster.primary.serverId}\n`);
    }
    const status = await cli([
      "-h",
      proxy.host,
      "-P",
      String(proxy.port),
      "-u",
      app.user,
      `-p${app.password}`,
      "--ssl",
      "--ssl-verify-server-cert=0",
      "-e",
      "\\s",
    ]);
    expect(status).toMatch(/SSL:\s+Cipher in use is/);
  });

  it("refuses clients without TLS when TLS is required", async () => {
    const strict = await startTestProxy(cluster, { tls: { ...certs, required: true } });
    try {
      const err = await rejectionOf(connectThrough(strict, cluster));
      expect(err.errno).toBe(3159);
      const ok = await connectThrough(strict, cluster, { ssl: { rejectUnauthorized: false } });
      await ok.end();
    } finally {
      await strict.close();
    }
  });
});
