import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../src/policy/diagnostic-codes.js";
import { grammarEbnf } from "../../src/policy/syntax/ebnf.js";

const readme = readFileSync("grammar/README.md", "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("grammar and diagnostics documentation", () => {
  it("grammar/policy.ebnf is the parser's grammar (regenerate with src/policy/syntax/ebnf.ts)", () => {
    expect(readFileSync("grammar/policy.ebnf", "utf8")).toBe(grammarEbnf());
  });

  it("documents every diagnostic code with its own section", () => {
    const undocumented = Object.keys(DIAGNOSTIC_CODES).filter((code) => !readme.includes(`\n### ${code}\n`));
    expect(undocumented).toEqual([]);
  });

  it("every code used in the sources is in the catalog, and every catalog code is used", () => {
    const used = new Set<string>();
    for (const file of [...sourceFiles("src/policy"), ...sourceFiles("src/cli")]) {
      if (file.endsWith("diagnostic-codes.ts")) continue;
      for (const m of readFileSync(file, "utf8").matchAll(/"(SLU\d{3})"/g)) used.add(m[1]!);
    }
    expect([...used].filter((c) => !(c in DIAGNOSTIC_CODES))).toEqual([]);
    expect(Object.keys(DIAGNOSTIC_CODES).filter((c) => !used.has(c))).toEqual([]);
  });
});
