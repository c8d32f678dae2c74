import { Writable } from "node:stream";
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { QueryLogConfig } from "../../src/config/types.js";
import { type LoggedStatement, QueryLog, QueryLogDecider } from "../../src/log/query-log.js";
import { redactLiterals } from "../../src/log/redact-literals.js";

const settings: QueryLogConfig = {
  enabled: true,
  slowMs: 100,
  sampleRate: 0,
  full: false,
  redactLiterals: true,
  destination: { kind: "stdout" },
};

const stmt = (over: Partial<LoggedStatement> = {}): LoggedStatement => ({
  session: 1,
  user: "app",
  schema: "shop",
  text: "SELECT * FROM users WHERE email = 'alice@example.com' AND age > 30",
  digest: null,
  fingerprint: null,
  pool: "reads",
  server: "db2",
  rule: "reads",
  latencyMs: 5,
  rows: 1,
  errorCode: null,
  errorMessage: null,
  ...over,
});

describe("QueryLogDecider", () => {
  it("logs slow statements, nothing else when sampling is off", () => {
    const d = new QueryLogDecider(settings);
    expect([d.decide(5), d.decide(99.9), d.decide(100), d.decide(2000)]).toEqual([
      null,
      null,
      "slow",
      "slow",
    ]);
  });

  it("logs everything in full mode and nothing when disabled", () => {
    expect(new QueryLogDecider({ ...settings, full: true }).decide(0)).toBe("full");
    expect(new QueryLogDecider({ ...settings, enabled: false, full: true }).decide(5000)).toBeNull();
    expect(new QueryLogDecider({ ...settings, slowMs: null }).decide(1e9)).toBeNull();
  });

  it("samples exactly floor(n × rate) of n fast statements, evenly spread", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 2000 }), (percent, n) => {
        const rate = percent / 100;
        const d = new QueryLogDecider({ ...settings, sampleRate: rate });
        const picked = Array.from({ length: n }, () => d.decide(1)).filter((r) => r === "sampled").length;
        expect(picked).toBe(Math.floor(n * rate + 1e-9));
      }),
    );
    const d = new QueryLogDecider({ ...settings, sampleRate: 0.25 });
    expect(Array.from({ length: 8 }, () => d.decide(1))).toEqual([
      null,
      null,
      null,
      "sampled",
      null,
      null,
      null,
      "sampled",
    ]);
  });
});

describe("QueryLog", () => {
  function logged(config: QueryLogConfig, records: LoggedStatement[]) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _e, done) {
        for (const l of String(chunk).split("\n"))
          if (l !== "") lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const log = new QueryLog(config, pino({ level: "info" }, stream));
    for (const r of records) log.record(r);
    return new Promise<Record<string, unknown>[]>((resolve) => setImmediate(() => resolve(lines)));
  }

  it("prefers the classifier's digest, else redacts literals itself", async () => {
    const lines = await logged({ ...settings, full: true }, [
      stmt({
        digest: "SELECT * FROM `users` WHERE `email` = ? AND `age` > ?",
        fingerprint: "0123456789abcdef",
      }),
      stmt(),
    ]);
    expect(lines.map((l) => l.statement)).toEqual([
      "SELECT * FROM `users` WHERE `email` = ? AND `age` > ?",
      "SELECT * FROM users WHERE email = ? AND age > ?",
    ]);
    expect(lines[0]).toMatchObject({
      reason: "full",
      session: 1,
      user: "app",
      db: "shop",
      digest: "0123456789abcdef",
      pool: "reads",
      server: "db2",
      rule: "reads",
      latencyMs: 5,
      rows: 1,
      errorCode: null,
    });
    expect(JSON.stringify(lines)).not.toContain("alice");
  });

  it("logs the text as sent when redaction is off, slow statements as warnings, errors redacted", async () => {
    const lines = await logged({ ...settings, redactLiterals: false }, [stmt({ latencyMs: 150 }), stmt()]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, reason: "slow", statement: stmt().text, latencyMs: 150 });
    const errs = await logged({ ...settings, full: true }, [
      stmt({
        text: "INSERT INTO u VALUES ('bob')",
        errorCode: 1062,
        errorMessage: "Duplicate entry 'bob' for key 'PRIMARY'",
      }),
    ]);
    expect(errs[0]).toMatchObject({
      level: 40,
      errorCode: 1062,
      error: "Duplicate entry ? for key ?",
      statement: "INSERT INTO u VALUES (?)",
    });
  });
});

describe("redactLiterals", () => {
  it.each([
    ["SELECT 1", "SELECT ?"],
    [
      "select * from t where a='x''y' and b=\"z\\\"q\" and c=-1.5e3",
      "select * from t where a=? and b=? and c=-?",
    ],
    ["SELECT x'ff', 0xFF, b'101', t1.c2 FROM t1", "SELECT ?, ?, ?, t1.c2 FROM t1"],
    [
      "SELECT `it's` FROM `t 1` /* secret 42 */ WHERE id IN (1, 2,3) -- trailing 7\n",
      "SELECT `it's` FROM `t 1` WHERE id IN (?, ?,?)",
    ],
    ["SELECT 1abc FROM t # 5", "SELECT 1abc FROM t"],
    ["UPDATE t SET s = 'unterminated", "UPDATE t SET s = ?"],
  ])("%j → %j", (input, expected) => {
    expect(redactLiterals(input)).toBe(expected);
  });

  it("never lets a string literal's content through", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 @.]{4,20}$/), (secret) => {
        const out = redactLiterals(`SELECT * FROM t WHERE a = '${secret}' OR b = "${secret}"`);
        expect(out).toBe("SELECT * FROM t WHERE a = ? OR b = ?");
      }),
    );
  });
});
