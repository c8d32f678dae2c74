import { describe, expect, it } from "vitest";
import { readSqlFile } from "../../src/sql-file/read-sql-file.js";

describe("readSqlFile", () => {
  it("splits at ; outside strings, identifiers and comments, with line numbers", () => {
    const text = [
      "SELECT 1;",
      "SELECT 'a;b', \"c;d\", `e;f`; -- c;omment",
      "/* block ; comment */ UPDATE t",
      "  SET a = 1",
      "  WHERE id = 2;",
      "# trailing comment only",
    ].join("\n");
    const out = readSqlFile(text);
    expect(out.map((s) => [s.sql, s.line, s.endLine])).toEqual([
      ["SELECT 1", 1, 1],
      ["SELECT 'a;b', \"c;d\", `e;f`", 2, 2],
      ["-- c;omment\n/* block ; comment */ UPDATE t\n  SET a = 1\n  WHERE id = 2", 2, 5],
    ]);
  });

  it("follows DELIMITER blocks and never passes DELIMITER on", () => {
    const text = [
      "DELIMITER $$",
      "CREATE PROCEDURE p()",
      "BEGIN",
      "  SELECT 1;",
      "END$$",
      "delimiter ;",
      "CALL p();",
    ].join("\n");
    const out = readSqlFile(text);
    expect(out.map((s) => [s.sql, s.line, s.delimiter])).toEqual([
      ["CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND", 2, "$$"],
      ["CALL p()", 7, ";"],
    ]);
  });

  it("ends statements at \\G and keeps the last one without a delimiter", () => {
    expect(readSqlFile("SHOW SLAVE STATUS\\G\nSELECT 2").map((s) => s.sql)).toEqual([
      "SHOW SLAVE STATUS",
      "SELECT 2",
    ]);
  });

  it("keeps executable comments, drops comment-only pieces", () => {
    expect(
      readSqlFile("/*!40101 SET NAMES utf8 */;\n/* nothing */;\n-- nothing\n").map((s) => s.sql),
    ).toEqual(["/*!40101 SET NAMES utf8 */"]);
  });

  it("handles backslash escapes and doubled quotes", () => {
    expect(readSqlFile("SELECT 'a\\';b';SELECT 'x''y;z';").map((s) => s.sql)).toEqual([
      "SELECT 'a\\';b'",
      "SELECT 'x''y;z'",
    ]);
  });

  it("marks a statement cut short by an unclosed quote", () => {
    const out = readSqlFile("SELECT 1;\nSELECT 'oops;\n");
    expect(out.map((s) => s.unterminated)).toEqual([false, true]);
  });
});
