import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backendKillSql, mayBeKill, parseKill } from "../../src/session/kill-statement.js";

const payload = (sql: string) => Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, "utf8")]);

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

  it("the byte pre-check never turns away a KILL parseKill would take", () => {
    const blank = fc.constantFrom(" ", "\t", "\n", "\r", "\f", "\v", "");
    const comment = fc.constantFrom("", "/* app */ ", "/*x*/", "/* KILL 1 */ ");
    const kill = fc
      .tuple(
        blank,
        comment,
        fc.constantFrom("KILL", "kill", "Kill"),
        fc.constantFrom(" ", "\t"),
        fc.constantFrom("", "HARD ", "soft "),
        fc.constantFrom("", "QUERY ", "connection "),
        fc.nat(),
        fc.constantFrom("", ";", " ; "),
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(kill, fc.string({ maxLength: 40 })), (sql) => {
        if (parseKill(sql) !== undefined) expect(mayBeKill(payload(sql))).toBe(true);
      }),
    );
    expect(mayBeKill(payload("SELECT 1"))).toBe(false);
    expect(mayBeKill(payload(`KILL ${"1".repeat(300)}`))).toBe(false);
  });
});
