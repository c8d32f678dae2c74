import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { DigestTable } from "../../src/admin/digests.js";
import { SluiceMetrics } from "../../src/admin/sluice-metrics.js";
import type { QueryLogConfig } from "../../src/config/types.js";
import type { RootLogger } from "../../src/log/logger.js";
import type { StatementRecord } from "../../src/routing/statement-record.js";
import { StatementSink } from "../../src/runtime/statement-sink.js";

const settings: QueryLogConfig = {
  enabled: true,
  slowMs: null,
  sampleRate: 0,
  full: true,
  redactLiterals: true,
  destination: { kind: "file", path: "/var/log/a.log" },
};

const record = (over: Partial<StatementRecord> = {}): StatementRecord => ({
  session: 4,
  user: "app",
  schema: "shop",
  text: "SELECT * FROM t WHERE id = 42",
  fingerprint: "00ff00ff00ff00ff",
  digest: "SELECT * FROM t WHERE id = ?",
  pool: "replicas",
  server: "db2",
  rule: "reads",
  latencyMs: 2,
  rows: 3,
  error: null,
  errorCode: null,
  errorMessage: null,
  at: 1_000,
  ...over,
});

/** Loggers the sink opens, each capturing its lines, with what it was opened for. */
function opener() {
  const opened: { destination: string; lines: string[]; closed: boolean }[] = [];
  const open = (s: QueryLogConfig): RootLogger => {
    const entry = {
      destination: s.destination.kind === "file" ? s.destination.path : "stdout",
      lines: [] as string[],
      closed: false,
    };
    opened.push(entry);
    const stream = new Writable({
      write(chunk, _e, done) {
        entry.lines.push(String(chunk));
        done();
      },
    });
    return {
      logger: pino({ level: "info" }, stream),
      reopen: () => {},
      flush: () => {},
      close: () => {
        entry.closed = true;
      },
    };
  };
  return { opened, open };
}

describe("StatementSink", () => {
  it("feeds metrics and digests with rows and errors of every statement", () => {
    const metrics = new SluiceMetrics();
    const digests = new DigestTable(10);
    const { open } = opener();
    const sink = new StatementSink(metrics, digests, { ...settings, enabled: false }, open);
    sink.record(record());
    sink.record(record({ rows: 0, error: "server", errorCode: 1146, errorMessage: "no table" }));
    expect(digests.get("00ff00ff00ff00ff")).toMatchObject({
      count: 2,
      rows: 3,
      errors: 1,
      pools: ["replicas"],
    });
    expect(metrics.render()).toMatch(/sluice_statement_errors_total\{pool="replicas",origin="server"\} 1/);
  });

  it("opens the query log's destination once, again only when a reload changes it, closes it when disabled", async () => {
    const { opened, open } = opener();
    const sink = new StatementSink(new SluiceMetrics(), new DigestTable(10), settings, open);
    sink.record(record());
    sink.configure({ ...settings, redactLiterals: false });
    sink.record(record());
    expect(opened.map((o) => o.destination)).toEqual(["/var/log/a.log"]);
    sink.configure({ ...settings, destination: { kind: "file", path: "/var/log/b.log" } });
    sink.record(record());
    sink.configure({ ...settings, enabled: false });
    sink.record(record());
    await new Promise((r) => setImmediate(r));
    expect(opened.map((o) => [o.destination, o.closed, o.lines.length])).toEqual([
      ["/var/log/a.log", true, 2],
      ["/var/log/b.log", true, 1],
    ]);
    const [redacted, plain] = opened[0]!.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(redacted?.statement).toBe("SELECT * FROM t WHERE id = ?");
    expect(plain?.statement).toBe("SELECT * FROM t WHERE id = 42");
  });
});
