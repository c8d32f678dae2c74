import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { dryRunCommand } from "../../src/cli/commands/dry-run.js";
import { FIXTURES, tempFile } from "./support/collect.js";
import { SPLIT_POLICY } from "./support/policy.js";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

function sluice(args: string[], input?: Buffer | string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, "dry-run", ...args], {
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("sluice dry-run (the command)", () => {
  const policy = tempFile("split.policy", SPLIT_POLICY);

  it("reads a gzipped log from stdin (-) and draws no progress bar into a pipe", () => {
    const r = sluice(["--policy", policy, "-"], readFileSync(`${FIXTURES}mariadb-general.log.gz`));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^input {4}- {2}\(general, 261121 16:39:49 – 261121 16:39:49\)$/m);
    expect(r.stdout).toMatch(/^statements 40 /m);
    expect(r.stdout).not.toContain("\r");
  });

  it("puts decisions on stdout with --output - and moves the summary to stderr", () => {
    const r = sluice([
      "--policy",
      policy,
      "--output",
      "-",
      "--input-format",
      "general",
      `${FIXTURES}mariadb-general.log`,
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(40);
    expect(r.stderr).toMatch(/^per pool$/m);
  });

  it("explains bad usage and exits 2", async () => {
    const r = await inProcess([
      "--policy",
      policy,
      "--fail-on",
      "everything",
      "--input-format",
      "csv",
      "x.log",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown --fail-on condition 'everything'");
    expect(r.stderr).toContain("--input-format is one of general, slow, sql, jsonl");
    const noLog = await inProcess(["--policy", policy]);
    expect(noLog.code).toBe(2);
    expect(noLog.stderr).toContain("name at least one log file");
  });

  it("takes servers and the policy from --config, without needing its secrets", async () => {
    const decisions = tempFile("decisions.jsonl", "");
    const config = new URL("../../sluice.example.yaml", import.meta.url).pathname;
    const r = await inProcess([
      "--config",
      config,
      "--output",
      decisions,
      "--json",
      `${FIXTURES}mariadb-general.log`,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).policy.file).toMatch(/\.policy$/);
    const servers = new Set(
      readFileSync(decisions, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).server),
    );
    // the example config's servers are db1 (primary), db2 and db3
    expect(servers.has("db1")).toBe(true);
    expect([...servers].every((s) => ["db1", "db2", "db3"].includes(s))).toBe(true);
  });

  it("shows the policy's diagnostics when it does not compile", async () => {
    const broken = tempFile(
      "broken.policy",
      "version 1\npool primary { role = primary }\nrule r when kind = selekt -> route primary\ndefault -> route primary\n",
    );
    const r = await inProcess(["--policy", broken, `${FIXTURES}mariadb-general.log`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[SLU\d+\]/);
    expect(r.stderr).toContain("has errors");
  });
});

/** Runs the command in this process, capturing what it writes to stdout and stderr. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    return { code: await dryRunCommand.run(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
