import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";

/** Reads of user variables: every `@name` but an assignment's target; `@@system` never. */
describe("facts.userVariables", () => {
  it.each([
    ["SELECT @x", ["x"]],
    ["SELECT @X + @`y`, @'z'", ["x", "y", "z"]],
    ["SELECT @@version, @@session.sql_mode", []],
    ["SET @x = 1", []],
    ["SET @x = @y + 1, @@session.sql_mode = @m", ["y", "m"]],
    ["SET @a := @b", ["b"]],
    ["SELECT @a := @a + 1 FROM t", ["a"]],
    ["SELECT 7 INTO @y", []],
    ["SELECT a, b INTO @x, @y FROM t WHERE c = @w", ["w"]],
    ["SELECT @x = 1, @y = 2", ["x", "y"]],
    ["INSERT INTO t VALUES (@x)", ["x"]],
    ["UPDATE t SET c = @v WHERE id = @id", ["v", "id"]],
    ["EXECUTE s USING @a, @b", ["a", "b"]],
    ["PREPARE s FROM @sql", ["sql"]],
    ["CALL p(@a)", ["a"]],
    ["SET @z = 5; SELECT @z", ["z"]],
    ["GRANT SELECT ON db.* TO 'u'@'h'", []],
  ])("%s → %j", (sql, expected) => {
    expect(classify(sql).userVariables).toEqual(expected);
  });

  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const positions = [
    "SELECT {} FROM t",
    "SELECT a FROM t WHERE b = {}",
    "SELECT a FROM t ORDER BY {}",
    "SELECT f({}, 1)",
  ];

  it("a user-variable read anywhere in a SELECT is reported", () => {
    fc.assert(
      fc.property(name, fc.constantFrom(...positions), (n, shape) => {
        expect(classify(shape.replace("{}", `@${n}`)).userVariables).toContain(n);
      }),
    );
  });

  it("a system variable is never a user-variable read", () => {
    fc.assert(
      fc.property(
        name,
        fc.constantFrom("", "session.", "global."),
        fc.constantFrom(...positions),
        (n, scope, shape) => {
          expect(classify(shape.replace("{}", `@@${scope}${n}`)).userVariables).toEqual([]);
        },
      ),
    );
  });
});
