import { readFile } from "node:fs/promises";
import { classify } from "../../classifier/classify.js";
import type { PolicyBundle } from "../../policy/compile/bundle.js";
import type { Diagnostic } from "../../policy/diagnostics.js";
import { loadPolicySources } from "../../policy/load.js";
import { compilePolicy } from "../../policy/pipeline.js";
import { runPolicyTests } from "../../policy/testing/run-tests.js";
import { parseTestFile } from "../../policy/testing/test-file.js";
import type { Command } from "../command.js";
import { renderText } from "../render/text.js";
import { expandPaths, parseArgs } from "./policy-files.js";

const SUFFIX = ".policy-test.yaml";
const USAGE = `sluice test [--explain] [FILES|DIRS…]

Runs policy tests (*${SUFFIX}; a directory means every test file under it, default: policies/).
Each test classifies its SQL, decides it under the policy and compares the rule and action.
Rules no test reached are listed as uncovered. --explain prints, for every case, the decision
tree's path and why each earlier rule did not match (failures always get it).
Exit status: 0 all passed, 1 failures, 2 bad usage.
`;

export interface TestOutcome {
  readonly exitCode: number;
  readonly output: string;
  readonly passed: number;
  readonly failed: number;
  readonly uncovered: readonly string[];
}

export async function testFiles(
  paths: readonly string[],
  options: { explain?: boolean } = {},
): Promise<TestOutcome> {
  const { files, missing } = await expandPaths(paths.length > 0 ? paths : ["policies"], SUFFIX);
  const out: string[] = missing.map((m) => `sluice test: ${m}: no such file or directory\n`);
  const bundles = new Map<
    string,
    { bundle?: PolicyBundle; diagnostics: readonly Diagnostic[]; sources: Map<string, string> }
  >();
  const covered = new Map<string, Set<string>>();
  let passed = 0;
  let failed = 0;
  let broken = missing.length;
  for (const file of files) {
    const parsed = parseTestFile(file, await readFile(file, "utf8"));
    out.push(`${file}  (policy ${parsed.policy || "?"})\n`);
    for (const e of parsed.errors) out.push(`  error: ${e}\n`);
    broken += parsed.errors.length;
    if (!parsed.policy) continue;
    let compiled = bundles.get(parsed.policy);
    if (!compiled) {
      const sources = await loadPolicySources(parsed.policy);
      const result = sources.length === 0 ? undefined : compilePolicy(sources);
      compiled = {
        bundle: result?.kind === "ok" ? result.bundle : undefined,
        diagnostics: result?.diagnostics ?? [],
        sources: new Map(sources.map((s) => [s.path, s.text])),
      };
      bundles.set(parsed.policy, compiled);
    }
    if (!compiled.bundle) {
      out.push(`  error: the policy ${parsed.policy} does not compile\n`);
      out.push(
        renderText(
          compiled.diagnostics.filter((d) => d.severity === "error"),
          compiled.sources,
        ),
      );
      broken++;
      continue;
    }
    const run = runPolicyTests(compiled.bundle, parsed.cases, (sql) => classify(sql));
    const seen = covered.get(parsed.policy) ?? new Set<string>();
    for (const r of run.results) {
      seen.add(r.rule);
      if (r.passed) {
        passed++;
        out.push(`  ✓ ${r.test.name}\n`);
        if (options.explain) out.push(`${indent(r.why)}\n`);
      } else {
        failed++;
        out.push(`  ✗ ${r.test.name}  (${file}:${r.test.line})\n`);
        out.push(`      expected ${r.expected}\n      got      ${r.got}\n`);
        out.push(`${indent(r.why)}\n`);
      }
    }
    covered.set(parsed.policy, seen);
  }
  const uncovered: string[] = [];
  for (const [policy, seen] of covered) {
    const compiled = bundles.get(policy)?.bundle;
    if (!compiled) continue;
    const rules = [...compiled.policy.rules.map((r) => r.name), "default"].filter((n) => !seen.has(n));
    for (const r of rules) uncovered.push(`${policy}: ${r}`);
  }
  if (uncovered.length > 0)
    out.push(`\nuncovered rules (no test reached them):\n${uncovered.map((u) => `  ${u}\n`).join("")}`);
  out.push(
    `\n${passed} passed, ${failed} failed${broken > 0 ? `, ${broken} error${broken === 1 ? "" : "s"}` : ""} (${files.length} file${files.length === 1 ? "" : "s"})\n`,
  );
  const exitCode = failed > 0 || broken > 0 || files.length === 0 ? 1 : 0;
  return { exitCode, output: out.join(""), passed, failed, uncovered };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
}

export const testCommand: Command = {
  name: "test",
  summary: "Run policy unit tests",
  usage: USAGE,
  async run(args) {
    const parsed = parseArgs(args, [], ["help", "explain"]);
    if (parsed.flags.has("help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (parsed.errors.length > 0) {
      process.stderr.write(`${parsed.errors.map((e) => `sluice test: ${e}`).join("\n")}\n\n${USAGE}`);
      return 2;
    }
    const outcome = await testFiles(parsed.positional, { explain: parsed.flags.has("explain") });
    process.stdout.write(outcome.output);
    return outcome.exitCode;
  },
};
