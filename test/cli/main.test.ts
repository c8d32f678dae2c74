import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";

const MAIN = "src/cli/main.ts";

function sluice(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { encoding: "utf8" });
}

describe("sluice CLI", () => {
  it("lists every command the issue names in --help", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", MAIN, "--help"], { encoding: "utf8" });
    for (const name of ["serve", "lint", "dry-run", "fmt", "test", "demo"]) {
      expect(out).toMatch(new RegExp(`^  ${name}\\s`, "m"));
    }
  });

  it("rejects an unknown command with a non-zero exit and the help text", () => {
    const result = sluice("frobnicate");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it("has unique command names", () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("makes commands that are not built yet say so and exit non-zero", async () => {
    const stubs = COMMANDS.filter((c) => c.summary.endsWith("(not built yet)"));
    for (const command of stubs) {
      expect(await command.run([])).not.toBe(0);
    }
  });
});
