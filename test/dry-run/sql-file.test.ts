import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SqlFileParser } from "../../src/dry-run/readers/sql-file.js";
import { readSqlFile } from "../../src/sql-file/read-sql-file.js";
import { collect, parseText, tempFile } from "./support/collect.js";

const SCRIPT = `-- a schema script
CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10));
INSERT INTO t VALUES (1, 'a;b'); SELECT * FROM t;
DELIMITER //
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  SELECT 2;
END //
DELIMITER ;
CALL p();
`;

describe("SQL file reader (through src/sql-file)", () => {
  it("reads statements with their first line, honouring DELIMITER blocks", () => {
    const events = parseText(new SqlFileParser(), SCRIPT);
    expect(events.map((e) => (e.kind === "query" ? [e.line, e.sql.split("\n")[0]] : null))).toEqual([
      [1, "-- a schema script"],
      [3, "INSERT INTO t VALUES (1, 'a;b')"],
      [3, "SELECT * FROM t"],
      [5, "CREATE PROCEDURE p()"],
      [11, "CALL p()"],
    ]);
    expect(events.every((e) => e.thread === "1")).toBe(true);
  });

  it("gives the same statements and lines with a small sliding window as on the whole text", () => {
    const piece = fc.constantFrom(
      "SELECT 1;",
      "SELECT 'x;y';",
      "UPDATE t SET a = 1;\nSELECT 2;",
      "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);",
      "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;",
      "DELIMITER $$\nSELECT 3$$\nSELECT 4 $$",
      "DELIMITER ;",
      "/* comment; with semicolon */ SELECT 5;",
      "-- line comment\nSELECT 6;",
      "",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 60 }), (pieces, window) => {
        const text = pieces.join("\n");
        const whole = readSqlFile(text).map((s) => ({ line: s.line, sql: s.sql }));
        const windowed = parseText(new SqlFileParser(window), text).map((e) => ({
          line: e.line,
          sql: e.kind === "query" ? e.sql : "",
        }));
        expect(windowed).toEqual(whole);
      }),
    );
  });

  it("is what an input without log markers is detected as", async () => {
    const events = await collect(tempFile("script.sql", SCRIPT));
    expect(events).toHaveLength(5);
  });
});
