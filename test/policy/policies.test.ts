/** The shipped policies pass every tool, run in-process through the command functions. */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { fmtFiles } from "../../src/cli/commands/fmt.js";
import { lintFiles } from "../../src/cli/commands/lint.js";
import { testFiles } from "../../src/cli/commands/test.js";

const GOOD = ["policies/default.policy", "policies/primary-only.policy", "policies/examples"];

describe("policies/", () => {
  it("pass sluice lint --strict", async () => {
    const outcome = await lintFiles(GOOD, { strict: true });
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.output).toContain("7 files checked: 0 errors, 0 warnings");
  });

  it("pass sluice fmt --check", async () => {
    const outcome = await fmtFiles(GOOD, { check: true });
    expect(outcome.changed).toEqual([]);
    expect(outcome.exitCode).toBe(0);
  });

  it("pass sluice test policies/ with every rule covered", async () => {
    const outcome = await testFiles(["policies"]);
    expect(outcome.output).not.toContain("✗");
    expect(outcome.failed).toBe(0);
    expect(outcome.passed).toBeGreaterThan(60);
    expect(outcome.uncovered).toEqual([]);
    expect(outcome.exitCode).toBe(0);
  });

  it("the broken policy prints every problem at once, exactly as recorded", async () => {
    const outcome = await lintFiles(["policies/broken/broken.policy"]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.output).toBe(readFileSync("policies/broken/broken.lint.txt", "utf8"));
    const found = new Set(outcome.diagnostics.map((d) => d.code));
    for (const code of [
      "SLU001",
      "SLU002",
      "SLU104",
      "SLU105",
      "SLU201",
      "SLU202",
      "SLU203",
      "SLU204",
      "SLU206",
      "SLU207",
      "SLU208",
      "SLU209",
      "SLU301",
      "SLU302",
      "SLU303",
      "SLU304",
      "SLU305",
    ])
      expect(found).toContain(code);
  });
});

describe("command exit codes", () => {
  it("lint: warnings fail only with --strict", async () => {
    const dir = "test/policy/fixtures";
    const plain = await lintFiles([`${dir}/warning-only.policy`]);
    expect(plain.exitCode).toBe(0);
    expect(plain.diagnostics.map((d) => d.code)).toEqual(["SLU305"]);
    expect((await lintFiles([`${dir}/warning-only.policy`], { strict: true })).exitCode).toBe(1);
  });

  it("lint: a missing file is an error", async () => {
    expect((await lintFiles(["test/policy/fixtures/nope.policy"])).exitCode).toBe(1);
  });

  it("fmt --check lists an unformatted file and fails", async () => {
    const outcome = await fmtFiles(["test/policy/fixtures/unformatted.policy"], { check: true });
    expect(outcome.changed).toEqual(["test/policy/fixtures/unformatted.policy"]);
    expect(outcome.exitCode).toBe(1);
  });

  it("test: a failing case fails the run and explains why", async () => {
    const outcome = await testFiles(["test/policy/fixtures/failing.policy-test.yaml"]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.failed).toBe(1);
    expect(outcome.output).toContain("expected rule `reads`");
    expect(outcome.output).toContain("`writes` matched");
    expect(outcome.uncovered).toEqual(["test/policy/fixtures/warning-only.policy: reads"]);
  });
});

describe("the Command objects", () => {
  it("lint, fmt and test run over policies/ through run(args) with exit status 0", async () => {
    const { lintCommand } = await import("../../src/cli/commands/lint.js");
    const { fmtCommand } = await import("../../src/cli/commands/fmt.js");
    const { testCommand } = await import("../../src/cli/commands/test.js");
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await lintCommand.run(["--strict", ...GOOD])).toBe(0);
      expect(await fmtCommand.run(["--check", ...GOOD])).toBe(0);
      expect(await testCommand.run(["--explain", "policies"])).toBe(0);
      expect(await lintCommand.run(["--format", "sarif", "policies/broken/broken.policy"])).toBe(1);
      expect(await lintCommand.run(["--format", "yaml", "policies"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    const out = written.join("");
    expect(out).toContain("0 errors, 0 warnings");
    expect(out).toContain("decided by rule `reads`");
    expect(out).toContain('"version": "2.1.0"');
  });
});
