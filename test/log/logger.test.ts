import { mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";
import { createRootLogger, serveLogOptions, sessionLogger } from "../../src/log/logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      raw.push(text);
      for (const l of text.split("\n")) if (l !== "") lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, raw, stream };
}

const dir = mkdtempSync(join(tmpdir(), "sluice-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("root logger", () => {
  it("writes JSON lines with level names, time and child bindings", async () => {
    const c = capture();
    const { logger } = createRootLogger({
      level: "info",
      destination: { kind: "stdout" },
      stream: c.stream,
      base: { worker: 2 },
    });
    sessionLogger(logger, { id: 7, user: "app", client: "127.0.0.1:5000" }).info(
      { schema: "shop" },
      "connected",
    );
    logger.debug("not at info level");
    await new Promise((r) => setImmediate(r));
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).toMatchObject({
      level: "info",
      msg: "connected",
      session: 7,
      user: "app",
      client: "127.0.0.1:5000",
      schema: "shop",
      worker: 2,
    });
    expect(typeof c.lines[0]?.time).toBe("string");
  });

  it("never writes a password, whether raw or wrapped in a Secret", async () => {
    const c = capture();
    const { logger } = createRootLogger({ level: "info", destination: { kind: "stdout" }, stream: c.stream });
    logger.info(
      {
        password: "raw-1",
        user: { name: "app", password: "raw-2" },
        monitor: { credentials: { secret: "raw-3" } },
      },
      "a",
    );
    logger.info({ config: { users: [{ name: "app", password: new Secret("raw-4", "env X") }] } }, "b");
    logger.info({ creds: new Secret("raw-5", "file y") }, "c");
    await new Promise((r) => setImmediate(r));
    const all = c.raw.join("");
    for (const s of ["raw-1", "raw-2", "raw-3", "raw-4", "raw-5"]) expect(all).not.toContain(s);
    expect(c.lines[0]).toMatchObject({
      password: "[redacted]",
      user: { name: "app", password: "[redacted]" },
    });
    expect(c.lines[2]).toMatchObject({ creds: "[redacted]" });
  });

  it("writes to a file destination", () => {
    const path = join(dir, "sluice.log");
    const root = createRootLogger({ level: "warn", destination: { kind: "file", path }, sync: true });
    root.logger.warn({ server: "db2" }, "lagging");
    root.logger.info("filtered out");
    root.flush();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ level: "warn", msg: "lagging", server: "db2" });
  });
});

describe("serveLogOptions", () => {
  const file = { kind: "file", path: "/var/log/sluice.log" } as const;

  it("follows the config's logging level and destination", () => {
    expect(serveLogOptions({ level: "warn", destination: file }, {})).toEqual({
      level: "warn",
      destination: file,
    });
  });

  it("lets SLUICE_LOG_LEVEL override the level when it names one, and ignores it otherwise", () => {
    expect(serveLogOptions({ level: "warn", destination: file }, { SLUICE_LOG_LEVEL: "debug" }).level).toBe(
      "debug",
    );
    expect(serveLogOptions({ level: "warn", destination: file }, { SLUICE_LOG_LEVEL: "loud" }).level).toBe(
      "warn",
    );
  });

  it("falls back to stdout at info when the config did not load", () => {
    expect(serveLogOptions(null, {})).toEqual({ level: "info", destination: { kind: "stdout" } });
  });
});

describe("a log file after logrotate", () => {
  it("reopen() sends later lines to a new file at the path; the moved file keeps the earlier ones", () => {
    const path = join(dir, "rotated.log");
    const root = createRootLogger({ level: "info", destination: { kind: "file", path }, sync: true });
    root.logger.info("before");
    renameSync(path, `${path}.1`);
    root.reopen();
    root.logger.info("after");
    root.close();
    const msgs = (p: string) =>
      readFileSync(p, "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs(`${path}.1`)).toEqual(["before"]);
    expect(msgs(path)).toEqual(["after"]);
  });
});
