import { closeSync, openSync, readSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generalLogFile } from "../../src/cluster/server-process.js";
import type { LogEvent } from "../../src/dry-run/log-event.js";
import { collect, tempFile } from "../dry-run/support/collect.js";
import { missingStatements } from "../dry-run/support/match-sent.js";
import { runWorkload, type SentStatement } from "../dry-run/support/workload.js";
import { useCluster } from "../support/cluster.js";

const cluster = useCluster();
const server = cluster.primary;

/** What a log file gained since `offset`, as a file of its own (other tests share the log). */
function tailSince(path: string, offset: number, name: string): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return tempFile(name, buffer);
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

describe("dry-run readers on logs the test cluster wrote", () => {
  let sent: SentStatement[] = [];
  let general: LogEvent[] = [];
  let slow: LogEvent[] = [];
  let saved: Record<string, unknown> = {};

  beforeAll(async () => {
    const [vars] = await cluster.rootQuery(
      server,
      "SELECT @@global.general_log AS general_log, @@global.slow_query_log AS slow_query_log, " +
        "@@global.long_query_time AS long_query_time, @@global.slow_query_log_file AS slow_file",
    );
    saved = vars ?? {};
    const generalPath = generalLogFile(server);
    const slowPath = String(saved.slow_file);
    const generalFrom = sizeOf(generalPath);
    const slowFrom = sizeOf(slowPath);
    await cluster.rootQuery(server, "SET GLOBAL long_query_time = 0");
    await cluster.rootQuery(server, "SET GLOBAL slow_query_log = 1");
    await cluster.rootQuery(server, "SET GLOBAL general_log = 1");
    sent = await runWorkload(cluster, server);
    await cluster.rootQuery(server, "SET GLOBAL general_log = 0");
    await cluster.rootQuery(server, "SET GLOBAL slow_query_log = 0");
    general = await collect(tailSince(generalPath, generalFrom, "general.log"));
    slow = await collect(tailSince(slowPath, slowFrom, "slow.log"));
  });

  afterAll(async () => {
    await cluster.rootQuery(server, `SET GLOBAL long_query_time = ${Number(saved.long_query_time ?? 10)}`);
    await cluster.rootQuery(server, `SET GLOBAL slow_query_log = ${Number(saved.slow_query_log ?? 0)}`);
    await cluster.rootQuery(server, `SET GLOBAL general_log = ${Number(saved.general_log ?? 0)}`);
  });

  it("the general log reader finds every statement, prepare and init db the workload sent", () => {
    expect(sent.length).toBeGreaterThan(30);
    expect(missingStatements(general, sent, "general")).toEqual([]);
  });

  it("the general log holds one execute per prepared-statement execution", () => {
    const executes = general
      .filter((e) => e.kind === "execute")
      .map((e) => (e.kind === "execute" ? e.sql : ""));
    expect(executes).toEqual([
      "SELECT name FROM dr_items WHERE id = 1",
      "SELECT name FROM dr_items WHERE id = 2",
      "UPDATE dr_items SET qty = qty + 1 WHERE id = 2",
    ]);
  });

  it("the slow log reader finds every query the workload sent, with its user", () => {
    expect(missingStatements(slow, sent, "slow")).toEqual([]);
    const app = cluster.info.users.app.user;
    const workload = slow.filter((e) => e.kind === "query" && e.sql.includes("dr_items"));
    expect(workload.length).toBeGreaterThan(10);
    for (const e of workload) expect(e.kind === "query" && e.hints?.user).toBe(app);
  });
});
