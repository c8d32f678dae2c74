import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { substituteResults } from "../../src/routing/result-substitution.js";
import {
  afterStatementResults,
  captured,
  connectionLost,
  INITIAL_RESULTS,
  livesOn,
  resultReads,
  type SessionResults,
  type StatementOutcome,
} from "../../src/routing/session-results.js";

const OK: StatementOutcome = { ok: true, rows: null, affectedRows: 0, insertId: 0, warnings: 0 };

function ran(r: SessionResults, sql: string, outcome: Partial<StatementOutcome> = {}, epoch = 1) {
  return afterStatementResults(r, classify(sql), sql, { ...OK, ...outcome }, epoch);
}

describe("session results: where each earlier result lives", () => {
  it("a SELECT's row count is FOUND_ROWS() until the next SELECT, through writes and SETs", () => {
    let r = ran(INITIAL_RESULTS, "SELECT id FROM t LIMIT 3", { rows: 3, affectedRows: null });
    r = ran(r, "SET @x = 1");
    r = ran(r, "INSERT INTO t (a) VALUES (1)", { affectedRows: 1 });
    expect(r.foundRows).toMatchObject({ at: "value", value: "3" });
    expect(r.rowCount).toMatchObject({ at: "value", value: "1" });
  });

  it("SQL_CALC_FOUND_ROWS and LAST_INSERT_ID-producing statements leave values only the connection has", () => {
    let r = ran(INITIAL_RESULTS, "SELECT SQL_CALC_FOUND_ROWS id FROM t LIMIT 1", { rows: 1 }, 4);
    expect(r.foundRows).toEqual({ at: "connection", epoch: 4 });
    r = ran(r, "INSERT INTO t (a) VALUES (1)", { affectedRows: 1, insertId: 1 }, 4);
    expect(r.lastInsertId).toEqual({ at: "connection", epoch: 4 });
    expect(livesOn(r, 4)).toBe(true);
    expect(livesOn(r, 5)).toBe(false);
    r = captured(r, 4, ["17", "42", "1"], null);
    expect(r.lastInsertId).toMatchObject({ at: "value", value: "17" });
    expect(r.foundRows).toMatchObject({ at: "value", value: "42" });
    expect(livesOn(r, 4)).toBe(false);
  });

  it("an INSERT's OK packet gives LAST_INSERT_ID() when it cannot be an explicit value", () => {
    const id = (sql: string, insertId: number) =>
      ran(INITIAL_RESULTS, sql, { affectedRows: 1, insertId }, 2).lastInsertId;
    const here = { at: "connection", epoch: 2 };
    expect(id("INSERT INTO t (v) VALUES (1000)", 154)).toMatchObject({ at: "value", value: "154" });
    expect(id("INSERT INTO t (v) VALUES ('x'), ('y')", 7)).toMatchObject({ at: "value", value: "7" });
    expect(id("INSERT INTO plain (v) VALUES (3)", 0)).toEqual(INITIAL_RESULTS.lastInsertId);
    // the explicit id 500 comes back in the packet while LAST_INSERT_ID() stays what it was
    expect(id("INSERT INTO t (id, v) VALUES (500, 1)", 500)).toEqual(here);
    expect(id("INSERT INTO t (id, v) VALUES ('500', 1)", 500)).toEqual(here);
    expect(id("INSERT INTO t (id, v) VALUES (0x1F4, 1)", 500)).toEqual(here);
    expect(id("INSERT INTO t (id, v) VALUES (1, 9) ON DUPLICATE KEY UPDATE v = 10", 3)).toEqual(here);
    expect(id("INSERT INTO t (v) SELECT v FROM u", 3)).toEqual(here);
    expect(id("INSERT INTO t (id, v) VALUES (@id, 1)", 3)).toEqual(here);
    expect(id("INSERT INTO t (v) VALUES (LAST_INSERT_ID(77))", 3)).toEqual(here);
  });

  it("an error keeps LAST_INSERT_ID() and FOUND_ROWS(), sets ROW_COUNT() to -1 and fills the diagnostics", () => {
    const r = ran(INITIAL_RESULTS, "DELETE FROM nosuch", { ok: false, affectedRows: null }, 2);
    expect(r.lastInsertId).toEqual(INITIAL_RESULTS.lastInsertId);
    expect(r.foundRows).toEqual(INITIAL_RESULTS.foundRows);
    expect(r.rowCount).toMatchObject({ at: "value", value: "-1" });
    expect(r.diagnostics).toEqual({ at: "connection", epoch: 2 });
  });

  it("warnings survive statements that read no table and raise nothing; a table read clears them", () => {
    let r = ran(INITIAL_RESULTS, "SELECT CAST('1x' AS SIGNED)", { rows: 1, warnings: 1 }, 3);
    r = ran(r, "SET @x = 1", {}, 3);
    r = ran(r, "DO 1", {}, 3);
    expect(r.diagnostics).toEqual({ at: "connection", epoch: 3 });
    r = ran(r, "SELECT a FROM t", { rows: 2 }, 3);
    expect(r.diagnostics).toMatchObject({ at: "value", value: [] });
  });

  it("a lost connection loses what only it had: reading it is an error, not another value", () => {
    let r = ran(INITIAL_RESULTS, "INSERT INTO t (a) VALUES (1)", { affectedRows: 1, insertId: 1 }, 6);
    r = connectionLost(r, 6);
    const reads = resultReads(r, classify("SELECT LAST_INSERT_ID()"), "SELECT LAST_INSERT_ID()", 7);
    expect(reads).toEqual({ kind: "gone", what: "LAST_INSERT_ID()" });
  });

  it("known values are written into the statement; values on the held connection keep it there", () => {
    const r: SessionResults = {
      ...INITIAL_RESULTS,
      lastInsertId: { at: "value", value: "7" },
      foundRows: { at: "connection", epoch: 2 },
    };
    const sql = "INSERT INTO t (a, b) VALUES (LAST_INSERT_ID(), FOUND_ROWS())";
    const reads = resultReads(r, classify(sql), sql, 2);
    expect(reads).toEqual({ kind: "stay", known: { lastInsertId: "7" } });
    expect(resultReads(r, classify(sql), sql, 3)).toEqual({ kind: "gone", what: "FOUND_ROWS()" });
  });

  it("SHOW WARNINGS of conditions read off another connection is answered with the server's columns", () => {
    const r: SessionResults = {
      ...INITIAL_RESULTS,
      diagnostics: { at: "value", value: [{ level: "Warning", code: 1292, message: "it's bad" }] },
    };
    const reads = resultReads(r, classify("SHOW WARNINGS"), "show  warnings;", 1);
    expect(reads).toEqual({
      kind: "rewrite",
      sql: "SELECT 'Warning' AS `Level`, CAST(1292 AS UNSIGNED) AS `Code`, 'it''s bad' AS `Message`",
    });
    const count = resultReads(r, classify("SHOW COUNT(*) WARNINGS"), "SHOW COUNT(*) WARNINGS", 1);
    expect(count).toEqual({
      kind: "rewrite",
      sql: "SELECT (0xFFFFFFFFFFFFFFFF & 1) AS `@@session.warning_count`",
    });
  });
});

describe("substituteResults", () => {
  it("writes values of the functions' own types and keeps the column names", () => {
    expect(substituteResults("SELECT FOUND_ROWS()", { foundRows: "3" })).toBe(
      "SELECT CAST(0xFFFFFFFFFFFFFFFF & 3 AS SIGNED) AS `FOUND_ROWS()`",
    );
    expect(
      substituteResults("select row_count( ) + 1 AS n, @@identity", { rowCount: "-1", lastInsertId: "9" }),
    ).toBe(
      "select CAST(0xFFFFFFFFFFFFFFFF & 18446744073709551615 AS SIGNED) + 1 AS n, (0xFFFFFFFFFFFFFFFF & 9) AS `@@identity`",
    );
    expect(substituteResults("INSERT INTO t VALUES (LAST_INSERT_ID())", { lastInsertId: "5" })).toBe(
      "INSERT INTO t VALUES ((0xFFFFFFFFFFFFFFFF & 5))",
    );
  });

  it("leaves strings, comments, stored functions and LAST_INSERT_ID(x) alone", () => {
    const known = { foundRows: "1", lastInsertId: "2", rowCount: "3" };
    expect(substituteResults("SELECT 'FOUND_ROWS()' /* ROW_COUNT() */", known)).toBeNull();
    expect(substituteResults("SELECT db.found_rows()", known)).toBeNull();
    expect(substituteResults("SELECT LAST_INSERT_ID(4)", known)).toBeNull();
    expect(substituteResults("SELECT @@global.warning_count", { warningCount: 1 })).toBeNull();
  });

  it("never touches a statement that reads none of the results, and is idempotent", () => {
    const fragment = fc.constantFrom(
      "SELECT",
      "a",
      ",",
      "FOUND_ROWS()",
      "ROW_COUNT()",
      "LAST_INSERT_ID()",
      "@@warning_count",
      "'x'",
      "(",
      ")",
      "+",
      "FROM t",
      "WHERE",
      "=",
      "1",
      "AS b",
    );
    const known = { foundRows: "2", rowCount: "0", lastInsertId: "11", warningCount: 0 };
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 14 }), (parts) => {
        const sql = parts.join(" ");
        const once = substituteResults(sql, known);
        const reads = /FOUND_ROWS\(\)|ROW_COUNT\(\)|LAST_INSERT_ID\(\)|@@warning_count/.test(sql);
        expect(once === null).toBe(!reads);
        if (once !== null) expect(substituteResults(once, known)).toBeNull();
      }),
    );
  });
});
