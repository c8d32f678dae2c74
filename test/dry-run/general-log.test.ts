import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GeneralLogParser } from "../../src/dry-run/readers/general-log.js";
import { collect, FIXTURES, parseText } from "./support/collect.js";
import { missingStatements } from "./support/match-sent.js";
import type { SentStatement } from "./support/workload.js";

const sent = JSON.parse(readFileSync(`${FIXTURES}workload-sent.json`, "utf8")) as SentStatement[];

describe("general log reader", () => {
  it("finds every statement the workload sent in a real MariaDB general log", async () => {
    const events = await collect(`${FIXTURES}mariadb-general.log`);
    expect(missingStatements(events, sent, "general")).toEqual([]);
  });

  it("reads connects, init db, prepares, executes and quits with thread and line", async () => {
    const events = await collect(`${FIXTURES}mariadb-general.log`);
    const connect = events.find((e) => e.kind === "connect" && e.thread === "8");
    expect(connect).toEqual({
      kind: "connect",
      thread: "8",
      line: 5,
      user: "app",
      clientAddress: "127.0.0.1",
      schema: "sluice_test",
    });
    const cli = events.find((e) => e.kind === "connect" && e.thread === "9");
    expect(cli).toMatchObject({ schema: null, user: "app" });
    expect(events.filter((e) => e.kind === "init_db").map((e) => e.kind === "init_db" && e.schema)).toEqual([
      "sluice_test",
      "dr_other",
    ]);
    expect(events.filter((e) => e.kind === "execute").map((e) => e.kind === "execute" && e.sql)).toEqual([
      "SELECT name FROM dr_items WHERE id = 1",
      "SELECT name FROM dr_items WHERE id = 2",
      "UPDATE dr_items SET qty = qty + 1 WHERE id = 2",
    ]);
    expect(events.filter((e) => e.kind === "quit").map((e) => e.thread)).toEqual(["7", "8", "9"]);
  });

  it("gives a multi-line statement the line it starts on", async () => {
    const text = readFileSync(`${FIXTURES}mariadb-general.log`, "utf8").split("\n");
    const events = await collect(`${FIXTURES}mariadb-general.log`);
    const multi = events.find((e) => e.kind === "query" && e.sql.startsWith("SELECT name,\n"));
    expect(multi).toBeDefined();
    expect(text[multi!.line - 1]).toMatch(/\t +8 Query\tSELECT name,$/);
    expect(multi!.kind === "query" && multi!.sql.split("\n")).toHaveLength(5);
  });

  it("reads MySQL 8's ISO timestamps on every line and a banner after a restart", () => {
    const log = [
      "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
      "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
      "Time                 Id Command    Argument",
      "2024-03-01T10:00:00.123456Z\t   12 Connect\tshop@localhost on shop using Socket",
      "2024-03-01T10:00:00.200000Z\t   12 Query\tSELECT 1",
      "FROM dual",
      "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
      "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
      "Time                 Id Command    Argument",
      "2024-03-01T10:05:00.000000+01:00\t    3 Query\tCOMMIT",
      "240301  9:59:59\t    4 Quit\t",
    ].join("\n");
    const parser = new GeneralLogParser();
    expect(parseText(parser, log)).toEqual([
      { kind: "connect", thread: "12", line: 4, user: "shop", clientAddress: "localhost", schema: "shop" },
      { kind: "query", thread: "12", line: 5, sql: "SELECT 1\nFROM dual" },
      { kind: "query", thread: "3", line: 10, sql: "COMMIT" },
      { kind: "quit", thread: "4", line: 11 },
    ]);
    expect(parser.timeRange()).toEqual({ first: "2024-03-01T10:00:00.123456Z", last: "240301  9:59:59" });
  });

  it("ignores commands that neither route nor change the session, and text before the first entry", () => {
    const log =
      "leftover of a rotated log\n\t\t  5 Ping\t\n\t\t  5 Close stmt\t\n\t\t  5 Field List\tt\n\t\t  5 Query\tDO 1";
    const parser = new GeneralLogParser();
    expect(parseText(parser, log)).toEqual([{ kind: "query", thread: "5", line: 5, sql: "DO 1" }]);
  });

  it("reads a gzipped log by its magic bytes", async () => {
    const plain = await collect(`${FIXTURES}mariadb-general.log`);
    const gz = await collect(`${FIXTURES}mariadb-general.log.gz`);
    expect(gz).toEqual(plain);
    expect(gz.length).toBeGreaterThan(40);
  });
});
