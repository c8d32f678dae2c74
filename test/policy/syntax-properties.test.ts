import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stripSpans } from "../../src/policy/ast.js";
import { formatPolicy } from "../../src/policy/format/format.js";
import { parseFile } from "../../src/policy/syntax/parse-file.js";
import { policyText } from "./support/policy-text.js";

function fmt(text: string): string {
  const parsed = parseFile("p.policy", text);
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return formatPolicy(parsed.file, text);
}

describe("parser", () => {
  it("P3: never throws, and every span lies inside the source", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          policyText,
          fc.string({ maxLength: 200 }),
          policyText.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))),
        ),
        (text) => {
          const parsed = parseFile("p.policy", text);
          const spans: { start: number; end: number }[] = [];
          const walk = (v: unknown): void => {
            if (Array.isArray(v)) v.forEach(walk);
            else if (v !== null && typeof v === "object") {
              for (const [k, x] of Object.entries(v)) {
                if (k === "span") spans.push(x as { start: number; end: number });
                else walk(x);
              }
            }
          };
          walk(parsed.file);
          for (const d of parsed.diagnostics) spans.push(d.span);
          for (const s of spans) {
            expect(s.start).toBeGreaterThanOrEqual(0);
            expect(s.end).toBeLessThanOrEqual(Math.max(text.length, 1) + 1);
            expect(s.start).toBeLessThanOrEqual(s.end);
          }
        },
      ),
    );
  });

  it("P4: one injected junk token gives a diagnostic over or right after it", () => {
    fc.assert(
      fc.property(
        policyText,
        fc.constantFrom("&&", ";", "@@", "'", "rule", "->", "{"),
        fc.nat(),
        (text, junk, at) => {
          // inject at a token boundary: before a line's first token
          const lines = text.split("\n");
          const i = at % lines.length;
          const offset = lines.slice(0, i).join("\n").length + (i > 0 ? 1 : 0);
          const bad = `${text.slice(0, offset)}${junk} ${text.slice(offset)}`;
          const parsed = parseFile("p.policy", bad);
          expect(parsed.diagnostics.some((d) => d.severity === "error" && d.span.end > offset)).toBe(true);
        },
      ),
    );
  });
});

describe("fmt", () => {
  it("P2: is idempotent", () => {
    fc.assert(
      fc.property(policyText, (text) => {
        const once = fmt(text);
        expect(fmt(once)).toBe(once);
      }),
    );
  });

  it("P1: parse(fmt(p)) ≡ parse(p), ignoring spans", () => {
    fc.assert(
      fc.property(policyText, (text) => {
        const before = parseFile("p.policy", text).file;
        const after = parseFile("p.policy", fmt(text)).file;
        expect(stripSpans(after.items)).toEqual(stripSpans(before.items));
        expect(after.version?.value).toBe(before.version?.value);
      }),
    );
  });

  it("keeps every comment", () => {
    fc.assert(
      fc.property(policyText, (text) => {
        const before = parseFile("p.policy", text)
          .file.comments.map((c) => c.text.trimEnd())
          .sort();
        const after = parseFile("p.policy", fmt(text))
          .file.comments.map((c) => c.text.trimEnd())
          .sort();
        expect(after).toEqual(before);
      }),
    );
  });

  it("lays a messy rule out canonically", () => {
    const text =
      'version 1\npool p {role=primary}\nrule   a when(writes)and not(kind=select or kind = insert)->route p tag "x"\ndefault->route p';
    expect(fmt(text)).toBe(
      'version 1\n\npool p {\n  role = primary\n}\n\nrule a\n  when writes and not (kind = select or kind = insert)\n  -> route p tag "x"\n\ndefault -> route p\n',
    );
  });
});
