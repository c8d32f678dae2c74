import { describe, expect, it } from "vitest";
import { JsonLinesParser } from "../../src/dry-run/readers/jsonl.js";
import { parseText } from "./support/collect.js";

describe("JSON lines reader", () => {
  it("reads statements with optional session fields", () => {
    const text = [
      '{"sql": "SELECT 1"}',
      "",
      '{"sql": "UPDATE t SET a = 1", "thread": 7, "user": "app", "schema": "shop", "in_transaction": true}',
      '{"sql": "SELECT 2", "thread": "w-1", "schema": null, "autocommit": false, "client_address": "10.0.0.5"}',
    ].join("\n");
    expect(parseText(new JsonLinesParser(), text)).toEqual([
      { kind: "query", thread: "1", line: 1, sql: "SELECT 1", hints: {} },
      {
        kind: "query",
        thread: "7",
        line: 3,
        sql: "UPDATE t SET a = 1",
        hints: { user: "app", schema: "shop", inTransaction: true },
      },
      {
        kind: "query",
        thread: "w-1",
        line: 4,
        sql: "SELECT 2",
        hints: { schema: null, autocommit: false, clientAddress: "10.0.0.5" },
      },
    ]);
  });

  it("reads the other commands", () => {
    const text = [
      '{"command": "connect", "thread": 3, "user": "u", "schema": "s"}',
      '{"command": "init_db", "thread": 3, "schema": "t"}',
      '{"command": "prepare", "thread": 3, "sql": "SELECT ?"}',
      '{"command": "execute", "thread": 3, "sql": "SELECT 5"}',
      '{"command": "quit", "thread": 3}',
    ].join("\n");
    expect(parseText(new JsonLinesParser(), text).map((e) => e.kind)).toEqual([
      "connect",
      "init_db",
      "prepare",
      "execute",
      "quit",
    ]);
  });

  it("turns bad lines into invalid events that say what is wrong", () => {
    const text = [
      '{"sql": 5}',
      "not json",
      "[1]",
      '{"sql": "x", "in_transaction": "yes"}',
      '{"command": "fly"}',
    ].join("\n");
    const events = parseText(new JsonLinesParser(), text);
    expect(events.map((e) => e.kind)).toEqual(["invalid", "invalid", "invalid", "invalid", "invalid"]);
    expect(events.map((e) => (e.kind === "invalid" ? e.reason : ""))).toEqual([
      '"sql" must be a string',
      expect.stringContaining("not JSON"),
      "expected a JSON object",
      '"in_transaction" must be true or false',
      expect.stringContaining('unknown "command" "fly"'),
    ]);
    expect(events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
