import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { decide, loadTree } from "../../src/policy/compile/decide.js";
import { explain, renderExplanation } from "../../src/policy/compile/explain.js";
import { firstMatch } from "../../src/policy/compile/first-match.js";
import { BASE_SESSION } from "../../src/policy/domain/base-input.js";
import { formatPolicy } from "../../src/policy/format/format.js";
import { compilePolicy } from "../../src/policy/pipeline.js";
import { parseFile } from "../../src/policy/syntax/parse-file.js";
import { compileOk } from "./support/compile.js";

const defaultText = readFileSync("policies/default.policy", "utf8");

describe("compiled bundle", () => {
  it("is frozen, serialisable data that survives a JSON round trip", () => {
    const bundle = compileOk(defaultText);
    expect(Object.isFrozen(bundle)).toBe(true);
    expect(Object.isFrozen(bundle.tree.nodes)).toBe(true);
    expect(Object.isFrozen(bundle.policy.rules[0]!.action)).toBe(true);
    const copy = JSON.parse(JSON.stringify(bundle));
    const tree = loadTree(copy.tree, copy.policy);
    const facts = classify("SELECT * FROM orders");
    expect(decide(tree, { facts, session: BASE_SESSION }).rule).toBe("reads");
  });

  it("hashes meaning, not layout: reformatting and comments keep the hash, a change alters it", () => {
    const a = compileOk(defaultText);
    const messy = `${defaultText.replace(/\n\n/g, "\n").replace(/^#.*$/gm, "# changed comment")}`;
    expect(compileOk(messy).hash).toBe(a.hash);
    const formatted = formatPolicy(parseFile("x.policy", defaultText).file, defaultText);
    expect(compileOk(formatted).hash).toBe(a.hash);
    expect(compileOk(defaultText.replace("max_lag = 2s", "max_lag = 3s")).hash).not.toBe(a.hash);
  });

  it("returns the same preallocated decision object for the same rule", () => {
    const bundle = compileOk(defaultText);
    const tree = loadTree(bundle.tree, bundle.policy);
    const one = decide(tree, { facts: classify("SELECT 1"), session: BASE_SESSION });
    const two = decide(tree, { facts: classify("SELECT * FROM users"), session: BASE_SESSION });
    expect(one).toBe(two);
  });

  it("agrees with first-match on the default policy for real statements", () => {
    const bundle = compileOk(defaultText);
    const tree = loadTree(bundle.tree, bundle.policy);
    const sqls = [
      "SELECT 1",
      "INSERT INTO t VALUES (1)",
      "SELECT FOUND_ROWS()",
      "BEGIN",
      "SET @a = 1",
      "SHOW MASTER STATUS",
      "ls",
    ];
    for (const sql of sqls)
      for (const inTransaction of [false, true]) {
        const input = { facts: classify(sql), session: { ...BASE_SESSION, inTransaction } };
        expect(decide(tree, input).index).toBe(firstMatch(bundle.policy, input));
      }
  });

  it("explain names the rule, the tree path, and why each earlier rule failed", () => {
    const bundle = compileOk(defaultText);
    const tree = loadTree(bundle.tree, bundle.policy);
    const input = { facts: classify("SELECT * FROM orders"), session: BASE_SESSION };
    const e = explain(tree, bundle.policy, input, bundle.tree.dims);
    expect(e.decision.rule).toBe("reads");
    expect(e.rules.at(-1)).toEqual({ rule: "reads", matched: true, reasons: [] });
    expect(e.rules.find((r) => r.rule === "writes")!.reasons).toEqual([
      "writes is false",
      "locking is none, needed anything but none",
    ]);
    const text = renderExplanation(e);
    expect(text).toContain("decided by rule `reads`");
    expect(text).toMatch(/tree path: .*writes = false/);
  });

  it("compilePolicy reports errors instead of a bundle", () => {
    const result = compilePolicy([{ path: "x.policy", text: "version 1\ndefault -> route nowhere" }]);
    expect(result.kind).toBe("error");
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SLU204"]);
  });
});
