import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SlowLogParser } from "../../src/dry-run/readers/slow-log.js";
import { collect, FIXTURES, parseText } from "./support/collect.js";
import { missingStatements } from "./support/match-sent.js";
import type { SentStatement } from "./support/workload.js";

const sent = JSON.parse(readFileSync(`${FIXTURES}workload-sent.json`, "utf8")) as SentStatement[];

describe("slow log reader", () => {
  it("finds every query the workload sent in a real MariaDB slow log (long_query_time=0)", async () => {
    const events = await collect(`${FIXTURES}mariadb-slow.log`);
    expect(missingStatements(events, sent, "slow")).toEqual([]);
  });

  it("takes thread, user, address and schema from the headers and drops the final `;`", async () => {
    const events = await collect(`${FIXTURES}mariadb-slow.log`);
    expect(events[0]).toEqual({
      kind: "query",
      thread: "8",
      line: 11,
      sql: "CREATE TABLE IF NOT EXISTS dr_items (id INT PRIMARY KEY, name VARCHAR(64), qty INT NOT NULL DEFAULT 0)",
      hints: { user: "app", schema: "sluice_test", clientAddress: "127.0.0.1" },
    });
    // a USE statement follows the `use` header line that records its effect
    const use = events.find((e) => e.kind === "query" && e.sql === "USE dr_other");
    expect(use).toMatchObject({ hints: { schema: "dr_other" } });
    // an empty Schema: means no default database
    const cli = events.find((e) => e.thread === "9");
    expect(cli).toMatchObject({ sql: "SELECT DATABASE()", hints: { schema: null } });
  });

  it("keeps a statement's lines, including one with a semicolon inside a string", async () => {
    const events = await collect(`${FIXTURES}mariadb-slow.log`);
    const sqls = events.map((e) => (e.kind === "query" ? e.sql : ""));
    expect(sqls).toContain("SELECT name,\n       qty\n  FROM dr_items\n WHERE qty > 0\n ORDER BY id");
    expect(sqls).toContain(
      "UPDATE dr_items SET name = 'line one\nline two; still the same statement' WHERE id = 3",
    );
  });

  it("reads MySQL 8's Id on the User@Host line, # comment lines in a statement, and skips admin commands", () => {
    const log = [
      "# Time: 2024-03-01T10:00:00.123456Z",
      "# User@Host: shop[shop] @ localhost [127.0.0.1]  Id:    42",
      "# Query_time: 0.000100  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 0",
      "use shop;",
      "SET timestamp=1709287200;",
      "SELECT 1",
      "# not a header: a comment line inside the statement",
      "FROM dual;",
      "# Time: 2024-03-01T10:00:01.000000Z",
      "# User@Host: shop[shop] @ localhost [127.0.0.1]  Id:    42",
      "# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0",
      "SET timestamp=1709287201;",
      "# administrator command: Quit;",
    ].join("\n");
    const parser = new SlowLogParser();
    expect(parseText(parser, log)).toEqual([
      {
        kind: "query",
        thread: "42",
        line: 6,
        sql: "SELECT 1\n# not a header: a comment line inside the statement\nFROM dual",
        hints: { user: "shop", schema: "shop", clientAddress: "127.0.0.1" },
      },
    ]);
    expect(parser.timeRange()).toEqual({
      first: "2024-03-01T10:00:00.123456Z",
      last: "2024-03-01T10:00:01.000000Z",
    });
  });
});
