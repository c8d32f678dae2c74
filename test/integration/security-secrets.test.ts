import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatConfigDiagnostic, loadConfig } from "../../src/config/index.js";
import { createRootLogger } from "../../src/log/logger.js";
import { proxyOptionsFromConfig } from "../../src/runtime/options-from-config.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startTestProxy } from "./proxy-helpers.js";
import { handshakeResponse, nativeScramble, RawClient, seedOf } from "./proxy-raw-client.js";

const cluster = useCluster();
const lines: string[] = [];
let proxy: ProxyHandle;
const dir = mkdtempSync(join(tmpdir(), "sluice-secrets-"));

function sha1(b: Buffer | string): Buffer {
  return createHash("sha1").update(b).digest();
}

/** Every form a password leaks in: clear, stage1 / stage2 as hex (either case) and base64, the "*" hash. */
function leakForms(password: string): string[] {
  const stage1 = sha1(password);
  const stage2 = sha1(stage1);
  return [
    password,
    stage1.toString("hex"),
    stage1.toString("hex").toUpperCase(),
    stage1.toString("base64"),
    stage2.toString("hex"),
    stage2.toString("hex").toUpperCase(),
    stage2.toString("base64"),
  ];
}

function expectNoLeak(text: string, secrets: readonly string[]): void {
  for (const s of secrets) expect(text.includes(s), `log/output contains a secret form '${s}'`).toBe(false);
}

beforeAll(async () => {
  // the production root logger (redaction included), at its most verbose, captured line by line
  const root = createRootLogger({
    level: "trace",
    destination: { kind: "stdout" },
    stream: { write: (line: string) => void lines.push(line) },
  });
  proxy = await startTestProxy(cluster, { logger: root.logger, loginRateLimit: false });
});

afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("secrets never reach the log", () => {
  it("through failed and successful logins, change-user and a backend refusing Sluice", async () => {
    const { app, monitor } = cluster.info.users;
    await rejectionOf(connectThrough(proxy, cluster, { password: "wrong-guess-123" }));
    await rejectionOf(connectThrough(proxy, cluster, { user: "ghost", password: "ghost-pass-456" }));
    const ok = await connectThrough(proxy, cluster);
    await ok.query("SELECT 1");
    const cu = await connectThrough(proxy, cluster);
    cu.on("error", () => {});
    await rejectionOf(cu.changeUser({ user: monitor.user, password: "cu-wrong-789" }));
    await ok.end();
    // a raw login whose scramble bytes we know: they must not be logged either
    const raw = await RawClient.open(proxy.host, proxy.port);
    const greeting = await raw.read();
    const scramble = nativeScramble("raw-wrong-000", seedOf(greeting!.payload));
    raw.send(1, handshakeResponse(app.user, scramble, "mysql_native_password"));
    await raw.read();
    raw.close();
    // Sluice configured with a password the server does not know: the backend's refusal is logged
    const lying = await startTestProxy(cluster, {
      logger: createRootLogger({
        level: "trace",
        destination: { kind: "stdout" },
        stream: { write: (line: string) => void lines.push(line) },
      }).logger,
      users: [{ name: app.user, password: "sluice-only-password" }],
      loginRateLimit: false,
    });
    await rejectionOf(connectThrough(lying, cluster, { password: "sluice-only-password" }));
    await lying.close();
    await new Promise((r) => setTimeout(r, 200));

    const text = lines.join("");
    expect(text).toMatch(/login rejected/); // the failures were logged, just not their secrets
    expectNoLeak(text, [
      ...leakForms(app.password),
      ...leakForms(monitor.password),
      ...leakForms("wrong-guess-123"),
      ...leakForms("ghost-pass-456"),
      ...leakForms("cu-wrong-789"),
      ...leakForms("sluice-only-password"),
      scramble.toString("hex"),
      scramble.toString("base64"),
    ]);
  });

  it("through a config load: the loaded config and the users built from it", () => {
    const env = {
      SLUICE_ADMIN_PASSWORD: "adm1n-Secret-xyz",
      SLUICE_APP_PASSWORD: "app-Secret-xyz",
      SLUICE_MONITOR_PASSWORD: "mon-Secret-xyz",
      SLUICE_REPL_PASSWORD: "repl-Secret-xyz",
    };
    mkdirSync(join(dir, "policies"), { recursive: true });
    writeFileSync(join(dir, "policies", "default.policy"), "");
    copyFileSync(new URL("../../sluice.example.yaml", import.meta.url).pathname, join(dir, "sluice.yaml"));
    const captured: string[] = [];
    const { logger } = createRootLogger({
      level: "trace",
      destination: { kind: "stdout" },
      stream: { write: (line: string) => void captured.push(line) },
    });
    const loaded = loadConfig({ path: join(dir, "sluice.yaml") }, { env });
    if (loaded.kind !== "ok") throw new Error(loaded.diagnostics.map(formatConfigDiagnostic).join("\n"));
    const options = proxyOptionsFromConfig(loaded.config);
    // the whole config (secrets are Secret values) and the users with their clear passwords
    // (redacted by path). Not covered, and not logged anywhere by Sluice: the options object as
    // a whole (users nested one level deeper than the redaction paths reach).
    logger.info({ config: loaded.config }, "config loaded");
    logger.debug({ users: options.users }, "proxy users");
    const text = captured.join("");
    expect(text).toMatch(/config loaded/);
    expectNoLeak(text, Object.values(env).flatMap(leakForms));
  });
});

describe("config diagnostics", () => {
  // A password written inline under an unknown key ("password:" instead of password_env) is
  // reported with a code frame, which `sluice serve` prints and logs: the value is masked there.
  it("do not quote a password written inline", () => {
    const env = {
      SLUICE_ADMIN_PASSWORD: "a-x",
      SLUICE_MONITOR_PASSWORD: "m-x",
      SLUICE_REPL_PASSWORD: "r-x",
    };
    mkdirSync(join(dir, "policies"), { recursive: true });
    writeFileSync(join(dir, "policies", "default.policy"), "");
    const inline = readFileSync(
      new URL("../../sluice.example.yaml", import.meta.url).pathname,
      "utf8",
    ).replace("password_env: SLUICE_APP_PASSWORD", 'password: "inline-Secret-xyz"');
    writeFileSync(join(dir, "inline.yaml"), inline);
    const bad = loadConfig({ path: join(dir, "inline.yaml") }, { env });
    expect(bad.kind).toBe("invalid");
    const report = bad.kind === "invalid" ? bad.diagnostics.map(formatConfigDiagnostic).join("\n") : "";
    expect(report).toMatch(/password/);
    expectNoLeak(report, leakForms("inline-Secret-xyz"));
  });
});

describe("no client statement makes Sluice read a file or run a command", () => {
  it("LOAD DATA LOCAL asks the client for its file; Sluice forwards the request and the client's bytes", async () => {
    const setup = await connectThrough(proxy, cluster);
    await setup.query("CREATE TABLE IF NOT EXISTS sec_infile (a INT, b VARCHAR(64))");
    await setup.query("DELETE FROM sec_infile");
    const { app } = cluster.info.users;
    const c = await RawClient.open(proxy.host, proxy.port);
    const greeting = await c.read();
    const caps = handshakeResponse(
      app.user,
      nativeScramble(app.password, seedOf(greeting!.payload)),
      "mysql_native_password",
      cluster.info.database,
    );
    caps[0]! |= 0x80; // CLIENT_LOCAL_FILES
    c.send(1, caps);
    expect((await c.read())?.payload[0]).toBe(0x00);
    // a file that exists on Sluice's host
    const sluiceFile = join(dir, "on-sluice-host.tsv");
    writeFileSync(sluiceFile, "666\tfrom-sluice-host\n");
    c.send(0, [0x03, ...Buffer.from(`LOAD DATA LOCAL INFILE '${sluiceFile}' INTO TABLE sec_infile`)]);
    const request = await c.read();
    if (request?.payload[0] === 0xff)
      throw new Error(`LOAD DATA LOCAL refused: ${request.payload.toString("utf8", 9)}`);
    // 0xFB + file name: the request reached the client unchanged, Sluice did not serve it
    expect(request?.payload[0]).toBe(0xfb);
    expect(request?.payload.toString("utf8", 1)).toBe(sluiceFile);
    c.send(request!.seq + 1, [...Buffer.from("7\tfrom-the-client\n")]);
    c.send(request!.seq + 2, []);
    const done = await c.read();
    expect(done?.payload[0]).toBe(0x00);
    c.close();
    const [rows] = await setup.query("SELECT a, b FROM sec_infile ORDER BY a");
    expect(rows).toEqual([{ a: 7, b: "from-the-client" }]);
    await setup.query("DROP TABLE sec_infile");
    await setup.end();
  });

  it("a client that did not negotiate LOCAL_FILES cannot use LOAD DATA LOCAL at all", async () => {
    const conn: mysql.Connection = await connectThrough(proxy, cluster, { flags: ["-LOCAL_FILES"] });
    await conn.query("CREATE TABLE IF NOT EXISTS sec_infile2 (a INT)");
    const err = await rejectionOf(
      conn.query("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE sec_infile2"),
    );
    expect(err.errno).toBeDefined();
    const [rows] = await conn.query("SELECT COUNT(*) AS n FROM sec_infile2");
    expect(rows).toEqual([{ n: 0 }]);
    await conn.query("DROP TABLE sec_infile2");
    await conn.end();
  });

  it("the data path (session, protocol, pool, routing) has no file-system, process or eval access", () => {
    const root = new URL("../../src/", import.meta.url).pathname;
    const offenders: string[] = [];
    for (const area of ["session", "protocol", "pool", "routing"]) {
      for (const file of readdirSync(join(root, area), { recursive: true })) {
        const name = String(file);
        if (!name.endsWith(".ts")) continue;
        const source = readFileSync(join(root, area, name), "utf8");
        if (/from\s+"(node:)?(fs|fs\/promises|child_process|vm|worker_threads)"/.test(source))
          offenders.push(name);
        if (/\beval\s*\(|new\s+Function\s*\(/.test(source)) offenders.push(`${name} (eval)`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
