import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { ShapeCache, shapeKey } from "../../src/dry-run/shape-cache.js";

describe("shape cache in front of the classifier", () => {
  it("replaces numeric and string literals, and nothing inside identifiers", () => {
    expect(shapeKey("SELECT a1, `x 2` FROM t2 WHERE id = 42 AND name = 'it''s' AND f = 1.5e-3")).toBe(
      "SELECT a1, `x 2` FROM t2 WHERE id = ? AND name = ? AND f = ?",
    );
    expect(shapeKey('UPDATE t SET s = "q\'s" WHERE n IN (1, 22, 333)')).toBe(
      "UPDATE t SET s = ? WHERE n IN (?, ?, ?)",
    );
    expect(shapeKey("SELECT 1")).toBe("SELECT ?");
    expect(shapeKey("SELECT x'0A', _utf8mb4'a'")).toBe("SELECT x?, _utf8mb4?");
  });

  it("keeps numbers glued to letters as written: a more specific key is never a wrong one", () => {
    expect(shapeKey("SELECT 0x1F FROM 1abc")).toBe("SELECT 0x1F FROM 1abc");
  });

  it("refuses texts it cannot read for sure", () => {
    for (const sql of [
      "SELECT /* sluice: route=primary */ 1",
      "SELECT 1 -- c",
      "SELECT 1 # c",
      "SELECT 'a\\'b'",
      "SELECT 'unterminated",
      "SELECT `unterminated",
      "SELECT `it's` FROM t",
    ]) {
      expect(shapeKey(sql), sql).toBeNull();
    }
  });

  it("gives exactly the classifier's facts for statements that differ only in literals", () => {
    const templates = [
      (a: string, b: string) => `SELECT id, name FROM products WHERE id = ${a} AND name = ${b}`,
      (a: string, b: string) => `UPDATE accounts SET balance = balance - ${a} WHERE owner = ${b}`,
      (a: string, b: string) => `INSERT INTO t (a, b) VALUES (${a}, ${b})`,
      (a: string, b: string) => `SELECT * FROM t WHERE a IN (${a}, ${b}) FOR UPDATE`,
      (a: string, _b: string) => `SET @x = ${a}`,
      (a: string, _b: string) => `SET autocommit = ${a}`,
      (a: string, b: string) => `SELECT GET_LOCK(${b}, ${a})`,
      (a: string, _b: string) => `DELETE FROM t WHERE id = ${a} LIMIT ${a}`,
      (a: string, b: string) => `SELECT ${a} + ${a} AS s, ${b} AS t`,
      (a: string, b: string) => `SELECT \`col1\`, \`t 2\`.x FROM \`t 2\` WHERE \`id\` = ${a} OR y = ${b}`,
      (a: string, b: string) => `SELECT * FROM t1 WHERE c2 = ${a} AND c3 IN (${b}, ${a}) LIMIT ${a}, 10`,
    ];
    const literal = fc.oneof(
      fc.integer({ min: 0, max: 1_000_000 }).map(String),
      fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => String(d)),
      fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/[\\']/g, "''")}'`),
      fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/[\\"]/g, "")}"`),
    );
    const cache = new ShapeCache((sql) => classify(sql));
    fc.assert(
      fc.property(fc.constantFrom(...templates), literal, literal, (template, a, b) => {
        const sql = template(a, b);
        expect(cache.classifyText(sql)).toEqual(classify(sql));
      }),
      { numRuns: 300 },
    );
    expect(cache.hits).toBeGreaterThan(0);
  });
});
