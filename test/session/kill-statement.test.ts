import { describe, expect, it } from "vitest";
import { backendKillSql, parseKill } from "../../src/session/kill-statement.js";

describe("KILL statements Sluice maps to backend threads", () => {
  it.each([
    ["KILL 12", "connection", "", 12],
    ["kill query 7", "query", "", 7],
    ["KILL CONNECTION 99;", "connection", "", 99],
    ["  KILL HARD QUERY 5 ", "query", "HARD ", 5],
    ["/* app */ KILL SOFT CONNECTION 3", "connection", "SOFT ", 3],
  ])("%s", (sql, scope, hardness, id) => {
    expect(parseKill(sql)).toEqual({ kind: "kill", scope, hardness, id });
  });

  it.each([
    "KILL QUERY ID 5",
    "KILL USER app",
    "SELECT 'KILL 5'",
    "KILL 5; DROP TABLE t",
    "KILL 99999999999999999999",
  ])("leaves %s to the backend", (sql) => {
    expect(parseKill(sql)).toBeUndefined();
  });

  it("builds the backend statement with the backend thread id", () => {
    const req = parseKill("KILL HARD QUERY 5")!;
    expect(backendKillSql(req, 4242)).toBe("KILL HARD QUERY 4242");
  });
});
