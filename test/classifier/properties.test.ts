import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import type { Facts } from "../../src/classifier/facts.js";
import { tokenize } from "../../src/classifier/tokenizer.js";
import { CASES } from "./statement-table.js";

// statements whose text holds no comments (rebuilding from tokens would drop those) and no context
const PLAIN = CASES.filter((c) => c.context === undefined && !/\/\*|--|#/.test(c.sql)).map((c) => c.sql);

/** Facts without the as-written value texts (whitespace inside a SET value is part of its text). */
function comparable(f: Facts): unknown {
  return {
    ...f,
    sessionEffects: f.sessionEffects.map((e) => ("valueText" in e ? { ...e, valueText: null } : e)),
  };
}

const SEPARATORS = [" ", "  ", "\n", "\t", " /* c */ ", "/**/", " -- c\n", " # c\n", "\r\n "];

/** Re-render sql: extra whitespace/comments where it had whitespace, keywords in a random case. */
function rerender(sql: string, seps: readonly number[], cases: readonly boolean[]): string {
  const t = tokenize(sql);
  let out = "";
  let prevEnd = 0;
  for (let i = 0; i < t.count; i++) {
    const start = t.start[i] ?? 0;
    const end = t.end[i] ?? 0;
    const gap = sql.slice(prevEnd, start);
    out += gap.length > 0 ? (SEPARATORS[seps[i % seps.length] ?? 0] ?? " ") : gap;
    const text = sql.slice(start, end);
    // a keyword spelling a qualified name (information_schema.tables) is a name: keep its case
    const qualified = sql.charAt(start - 1) === "." || sql.charAt(end) === ".";
    if (t.kw[i] !== null && !qualified) {
      out += [...text]
        .map((ch, k) => (cases[(i + k) % cases.length] ? ch.toUpperCase() : ch.toLowerCase()))
        .join("");
    } else out += text;
    prevEnd = end;
  }
  return out + sql.slice(prevEnd);
}

describe("classifier properties", () => {
  it("whitespace, comments and keyword case change no fact", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLAIN),
        fc.array(fc.nat(SEPARATORS.length - 1), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (sql, seps, cases) => {
          const changed = rerender(sql, seps, cases);
          expect(comparable(classify(changed))).toEqual(comparable(classify(sql)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a trailing semicolon changes no fact", () => {
    for (const sql of PLAIN) {
      if (sql.trim().endsWith(";") || sql.includes(";")) continue;
      expect(classify(`${sql};`)).toEqual(classify(sql));
    }
  });

  const literal = fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(Math.abs(d))),
    fc.string({ maxLength: 12 }).map((s) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`),
    fc.string({ maxLength: 12 }).map((s) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '""')}"`),
    fc.constant("?"),
    fc.nat(0xffff).map((n) => `0x${n.toString(16)}`),
  );
  const TEMPLATES = [
    "SELECT * FROM t WHERE id = $ AND name = $",
    "SELECT a, b FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.x > $ ORDER BY a LIMIT $",
    "INSERT INTO t (a, b) VALUES ($, $)",
    "INSERT INTO t (a, b) VALUES ($, $), ($, $), ($, $)",
    "UPDATE t SET a = $, b = $ WHERE id = $",
    "DELETE FROM t WHERE created < $ LIMIT $",
    "SELECT * FROM t WHERE a IN ($, $, $) AND b NOT IN ($)",
    "SELECT COUNT(*) FROM t WHERE c BETWEEN $ AND $",
    "SELECT * FROM t WHERE a = $ FOR UPDATE",
  ];

  it("statements that differ only in literals have the same digest and fingerprint", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATES),
        fc.array(literal, { minLength: 8, maxLength: 8 }),
        fc.array(literal, { minLength: 8, maxLength: 8 }),
        (template, a, b) => {
          let k = 0;
          const one = template.replaceAll("$", () => a[k++ % a.length] ?? "1");
          k = 0;
          const two = template.replaceAll("$", () => b[k++ % b.length] ?? "1");
          const f1 = classify(one);
          const f2 = classify(two);
          expect(f1.digest).toBe(f2.digest);
          expect(f1.fingerprint).toBe(f2.fingerprint);
        },
      ),
    );
  });

  it("IN lists of any length share a digest", () => {
    fc.assert(
      fc.property(fc.array(literal, { minLength: 1, maxLength: 30 }), (items) => {
        expect(classify(`SELECT * FROM t WHERE id IN (${items.join(", ")})`).digest).toBe(
          "SELECT * FROM t WHERE id IN (...)",
        );
      }),
    );
  });

  const SQLISH = fc.constantFrom(
    "SELECT",
    "FROM",
    "WHERE",
    "UPDATE",
    "SET",
    "(",
    ")",
    ",",
    ";",
    "'",
    '"',
    "`",
    "/*",
    "*/",
    "--",
    "#",
    "/*!",
    "/*M!",
    "50700",
    "@",
    "@@",
    ":=",
    "=",
    "t",
    "1",
    "\\",
    "\n",
    " ",
    "FOR",
    "INTO",
    "BEGIN",
    "END",
    "IF",
    "CASE",
    "NOT",
    "ATOMIC",
    "x",
    ".",
    "?",
    "DELIMITER",
    "CALL",
    "WITH",
    "AS",
    "N'",
    "0x",
  );

  it("never throws, and what it cannot read is a write", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.array(SQLISH, { maxLength: 40 }).map((a) => a.join(" ")),
        ),
        (sql) => {
          const f = classify(sql);
          if (f.parse === "unknown" || f.kind === "unknown") expect(f.writes).toBe(true);
          expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("input that starts with a word no statement starts with is an unknown write", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (rest) => {
        const f = classify(`zq${rest.replace(/^[\w$]+/, "")}`);
        expect(f.writes).toBe(true);
      }),
    );
  });
});
