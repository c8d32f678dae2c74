import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import type { SessionEffect } from "../../src/classifier/facts.js";

/** Issue 23: statements the classifier must see as one server acts on them. */
describe("EXPLAIN / ANALYZE of a locking read or a write is classified as that statement", () => {
  it.each([
    ["EXPLAIN SELECT * FROM t FOR UPDATE", false, "for_update", "wait"],
    ["EXPLAIN SELECT * FROM t LOCK IN SHARE MODE", false, "lock_in_share_mode", "wait"],
    ["EXPLAIN SELECT * FROM t FOR UPDATE SKIP LOCKED", false, "for_update", "skip_locked"],
    ["EXPLAIN FORMAT=JSON SELECT * FROM t FOR SHARE NOWAIT", false, "for_share", "nowait"],
    ["EXPLAIN EXTENDED SELECT * FROM t WHERE id = 1 FOR UPDATE", false, "for_update", "wait"],
    ["ANALYZE SELECT * FROM t FOR UPDATE", false, "for_update", "wait"],
    ["ANALYZE FORMAT=JSON SELECT * FROM t LOCK IN SHARE MODE", false, "lock_in_share_mode", "wait"],
    ["EXPLAIN UPDATE t SET a = 1", true, "none", "wait"],
    ["EXPLAIN DELETE FROM t", true, "none", "wait"],
    ["EXPLAIN INSERT INTO t VALUES (1)", true, "none", "wait"],
    ["ANALYZE UPDATE t SET a = 1", true, "none", "wait"],
    ["EXPLAIN SELECT * FROM t", false, "none", "wait"],
  ] as const)("%s → writes %s, %s %s", (sql, writes, locking, lockWait) => {
    const f = classify(sql);
    expect(f.kind).toBe("explain");
    expect({ writes: f.writes, locking: f.locking, lockWait: f.lockWait }).toEqual({
      writes,
      locking,
      lockWait,
    });
  });

  it("ANALYZE runs the statement: its write tables and products are its own", () => {
    const f = classify("ANALYZE UPDATE t SET a = 1");
    expect(f.writeTables).toEqual([{ schema: null, name: "t" }]);
    expect(f.produces).toContain("row_count");
    expect(classify("EXPLAIN UPDATE t SET a = 1").produces).toEqual([]);
  });
});

describe("a stored program's body reads no user variable when it is created", () => {
  it.each([
    "CREATE PROCEDURE p() BEGIN SET @x = @y + 1; SELECT @z; END",
    "CREATE OR REPLACE PROCEDURE p() SELECT @x",
    "CREATE FUNCTION f() RETURNS INT RETURN @x",
    "CREATE DEFINER = root@localhost TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @c = @c + 1",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SET @a = @b",
    "ALTER EVENT e DO SET @a = @b",
  ])("%s", (sql) => {
    const f = classify(sql);
    expect(f.userVariables).toEqual([]);
    expect(f.sessionEffects).toEqual([]);
  });

  it("an anonymous block runs now: its reads are reads", () => {
    expect(classify("BEGIN NOT ATOMIC SELECT @x; END").userVariables).toEqual(["x"]);
  });
});

const diagnosticsSet = (name: string): SessionEffect => ({
  kind: "user_variable",
  name,
  how: "diagnostics",
  valueText: null,
  literal: false,
});

describe("GET DIAGNOSTICS", () => {
  it("needs the previous statement's connection and sets its targets", () => {
    const f = classify("GET DIAGNOSTICS CONDITION 1 @e = MYSQL_ERRNO, @m = MESSAGE_TEXT");
    expect(f.kind).toBe("get_diagnostics");
    expect(f.sameConnection).toEqual(["diagnostics"]);
    expect(f.sessionEffects).toEqual([diagnosticsSet("e"), diagnosticsSet("m")]);
    expect(f.userVariables).toEqual([]);
  });

  it("GET CURRENT DIAGNOSTICS @n = NUMBER; a condition number in a variable is read", () => {
    expect(classify("GET CURRENT DIAGNOSTICS @n = NUMBER, @r = ROW_COUNT").sessionEffects).toEqual([
      diagnosticsSet("n"),
      diagnosticsSet("r"),
    ]);
    const f = classify("GET DIAGNOSTICS CONDITION @i @e = MYSQL_ERRNO");
    expect(f.userVariables).toEqual(["i"]);
    expect(f.sessionEffects).toEqual([diagnosticsSet("e")]);
  });
});

describe("CALL p(@out)", () => {
  it("a bare @x argument may be OUT or INOUT: set by the CALL, and read", () => {
    const f = classify("CALL db.p(1, @o, @x + 1, (@y), @io)");
    expect(f.sessionEffects).toEqual(
      ["o", "io"].map((name) => ({
        kind: "user_variable",
        name,
        how: "call_argument",
        valueText: null,
        literal: false,
      })),
    );
    expect(f.userVariables).toEqual(["o", "x", "y", "io"]);
    expect(classify("CALL p").sessionEffects).toEqual([]);
    expect(classify("CALL p()").sessionEffects).toEqual([]);
  });
});

describe("SET @x = value: literal only when re-running it gives the same value anywhere", () => {
  it.each([
    ["1", true],
    ["-2", true],
    ["'x'", true],
    ["NULL", true],
    ["CONCAT('a', 'b')", true],
    ["1 + 2 * 3", true],
    ["(SELECT COUNT(*) FROM t2)", false],
    ["NOW()", false],
    ["CURRENT_USER", false],
    ["@y + 1", false],
    ["@@sql_mode", false],
    ["?", false],
    ["RAND()", false],
  ] as const)("SET @x = %s → literal %s", (value, literal) => {
    const e = classify(`SET @x = ${value}`).sessionEffects[0];
    expect(e).toMatchObject({ kind: "user_variable", how: "set", literal });
  });
});
