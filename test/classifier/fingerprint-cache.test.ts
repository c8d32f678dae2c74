import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedCache, ClassifierCache, classifyCached } from "../../src/classifier/cache.js";
import { classify } from "../../src/classifier/classify.js";
import { fnv1a64 } from "../../src/classifier/fingerprint.js";
import { splitStatements } from "../../src/classifier/split.js";
import { CASES } from "./statement-table.js";

/** Reference FNV-1a 64 with BigInt over TextEncoder bytes, written independently of the fast one. */
function reference(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

describe("fingerprint", () => {
  it("matches the published FNV-1a 64 vectors", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
  });

  it("equals a BigInt reference on any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (s) => {
        expect(fnv1a64(s)).toBe(reference(s));
      }),
    );
  });
});

describe("BoundedCache", () => {
  it("never holds more than its bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.nat(50)), (max, keys) => {
        const c = new BoundedCache<number>(max);
        for (const k of keys) {
          if (c.get(String(k)) === undefined) c.set(String(k), k);
          expect(c.size).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it("keeps a recently used entry over one not used since", () => {
    const c = new BoundedCache<number>(4); // generations of 2
    c.set("a", 1);
    c.set("b", 2);
    c.set("c", 3); // young {c}, old {a, b}
    expect(c.get("a")).toBe(1); // a moves to young {c, a}
    c.set("d", 4); // young full: old {c, a}, young {d}; b is gone
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBe(1);
    expect(c.get("c")).toBe(3);
    expect(c.get("d")).toBe(4);
  });

  it("rejects a size below one", () => {
    expect(() => new BoundedCache(0)).toThrow(/at least 1/);
  });
});

describe("ClassifierCache", () => {
  it("answers exactly what classify answers, for every table statement, hit or miss", () => {
    const cache = new ClassifierCache(1000);
    for (const round of [1, 2]) {
      for (const c of CASES) {
        if (c.context !== undefined) continue;
        expect(cache.classify(c.sql), `${c.sql} (round ${round})`).toEqual(classify(c.sql));
      }
    }
    expect(cache.stats.textHits).toBeGreaterThan(0);
  });

  it("reuses facts by digest when only literals differ, but not for SET values or hints", () => {
    const cache = new ClassifierCache(100);
    cache.classify("SELECT * FROM t WHERE id = 1");
    const f = cache.classify("SELECT * FROM t WHERE id = 2");
    expect(cache.stats.digestHits).toBe(1);
    expect(f).toEqual(classify("SELECT * FROM t WHERE id = 2"));

    cache.classify("SET @x = 1");
    const set2 = cache.classify("SET @x = 2");
    expect(set2.sessionEffects).toEqual([
      { kind: "user_variable", name: "x", how: "set", valueText: "2", literal: true },
    ]);

    cache.classify("/* sluice: route=primary */ SELECT * FROM t WHERE id = 3");
    const hinted = cache.classify("/* sluice: route=replica */ SELECT * FROM t WHERE id = 4");
    expect(hinted.hints).toEqual([{ key: "route", value: "replica" }]);
  });

  it("classifyCached keeps contexts apart", () => {
    const sql = 'SELECT "x" FROM t';
    expect(classifyCached(sql).tables).toEqual([{ schema: null, name: "t" }]);
    expect(classifyCached(sql, { ansiQuotes: true }).digest).toBe("SELECT x FROM t");
    expect(classifyCached(sql).digest).toBe("SELECT ? FROM t");
  });
});

describe("splitStatements", () => {
  it("splits at top-level semicolons only, keeping comments with their statement", () => {
    expect(splitStatements("SELECT ';'; /* sluice: route=primary */ SELECT 2;; SELECT `a;b`")).toEqual([
      "SELECT ';'",
      "/* sluice: route=primary */ SELECT 2",
      "SELECT `a;b`",
    ]);
  });

  it("keeps a compound statement whole", () => {
    const body = "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; SELECT 2; END";
    expect(splitStatements(`${body}; SELECT 3`)).toEqual([body, "SELECT 3"]);
  });

  it("returns nothing for empty input", () => {
    expect(splitStatements("  ;  ")).toEqual([]);
  });
});
