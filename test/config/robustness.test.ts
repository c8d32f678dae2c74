import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "./fake-io.js";

const EXAMPLE = readFileSync(new URL("../../sluice.example.yaml", import.meta.url), "utf8");
const env = {
  SLUICE_ADMIN_PASSWORD: "a",
  SLUICE_APP_PASSWORD: "b",
  SLUICE_MONITOR_PASSWORD: "c",
  SLUICE_REPL_PASSWORD: "d",
};
const files = { "/cfg/policies/default.policy": "" };

describe("loadConfig on damaged documents", () => {
  it("loads the example through the in-memory file system", () => {
    expect(parse(EXAMPLE, env, files).kind).toBe("ok");
  });

  it("never throws; every diagnostic points inside the text with a frame and a CFG code", () => {
    const lines = EXAMPLE.split("\n");
    const damage = fc.oneof(
      fc.record({ kind: fc.constant("drop" as const), line: fc.nat(lines.length - 1) }),
      fc.record({
        kind: fc.constant("replace" as const),
        line: fc.nat(lines.length - 1),
        text: fc.string({ maxLength: 30 }),
      }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(EXAMPLE.length) }),
    );
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = EXAMPLE;
        for (const e of edits) {
          const ls = text.split("\n");
          if (e.kind === "drop") ls.splice(e.line % ls.length, 1);
          if (e.kind === "replace") ls[e.line % ls.length] = e.text;
          text = e.kind === "truncate" ? text.slice(0, e.at % (text.length + 1)) : ls.join("\n");
        }
        const r = parse(text, env, files);
        if (r.kind === "ok") return;
        const count = text.split("\n").length;
        expect(r.diagnostics.length).toBeGreaterThan(0);
        for (const d of r.diagnostics) {
          expect(d.code).toMatch(/^CFG\d{3}$/);
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(count);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.frame).toMatch(new RegExp(`^> +${d.line} \\|`, "m"));
          expect(d.frame).toMatch(/^ +\| *\^+$/m);
        }
      }),
      { numRuns: 200 },
    );
  });
});
