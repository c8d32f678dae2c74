import { readFileSync } from "node:fs";
import { type Diagnostic, sortDiagnostics } from "../../policy/diagnostics.js";
import { lintPolicy } from "../../policy/lint/index.js";
import { loadPolicySources } from "../../policy/load.js";
import { checkSources } from "../../policy/pipeline.js";
import type { Command } from "../command.js";
import { renderGithub } from "../render/github.js";
import { renderJson } from "../render/json.js";
import { renderSarif } from "../render/sarif.js";
import { renderText, summary } from "../render/text.js";
import { expandPaths, parseArgs } from "./policy-files.js";

const FORMATS = ["text", "json", "sarif", "github"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `sluice lint [--format text|json|sarif|github] [--strict] FILES|DIRS…

Checks policy files: syntax, names and types, then the analyses (contradictory, shadowed,
redundant and unsafe-route rules, unused pools). A directory means every *.policy under it.
Exit status: 0 clean, 1 errors (with --strict also warnings), 2 bad usage.
`;

export interface LintOutcome {
  readonly exitCode: number;
  readonly output: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Lints each entry file with everything it imports. In-process and testable. */
export async function lintFiles(
  paths: readonly string[],
  options: { format?: Format; strict?: boolean } = {},
): Promise<LintOutcome> {
  const { files, missing } = await expandPaths(paths, ".policy");
  const sources = new Map<string, string>();
  const all: Diagnostic[] = [];
  for (const file of files) {
    const loaded = await loadPolicySources(file);
    for (const s of loaded) sources.set(s.path, s.text);
    const front = checkSources(loaded);
    // analyses run on what checked cleanly even when other parts have errors, so one run shows all
    const diagnostics = sortDiagnostics([...front.diagnostics, ...lintPolicy(front.partial).diagnostics]);
    // an imported file shared by two entries reports its problems once
    for (const d of diagnostics) if (!all.some((x) => sameDiagnostic(x, d))) all.push(d);
  }
  const format = options.format ?? "text";
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.length - errors;
  let output: string;
  switch (format) {
    case "text":
      output = renderText(all, sources) + summary(all, files.length);
      break;
    case "json":
      output = renderJson(all, files);
      break;
    case "sarif":
      output = renderSarif(all, packageVersion());
      break;
    case "github":
      output = renderGithub(all);
      break;
  }
  const missingText = missing.map((m) => `sluice lint: ${m}: no such file or directory\n`).join("");
  const exitCode = errors > 0 || missing.length > 0 || (options.strict && warnings > 0) ? 1 : 0;
  return { exitCode, output: missingText + output, diagnostics: all };
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a.code === b.code &&
    a.span.file === b.span.file &&
    a.span.start === b.span.start &&
    a.message === b.message
  );
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    return typeof pkg === "object" && pkg !== null && "version" in pkg ? String(pkg.version) : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export const lintCommand: Command = {
  name: "lint",
  summary: "Check policy files for errors, shadowed rules and unsafe routes",
  usage: USAGE,
  async run(args) {
    const parsed = parseArgs(args, ["format"], ["strict", "help"]);
    if (parsed.flags.has("help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    const format = parsed.flags.get("format") ?? "text";
    if (typeof format !== "string" || !(FORMATS as readonly string[]).includes(format))
      parsed.errors.push(`--format is one of ${FORMATS.join(", ")}`);
    if (parsed.positional.length === 0) parsed.errors.push("name at least one policy file or directory");
    if (parsed.errors.length > 0) {
      process.stderr.write(`${parsed.errors.map((e) => `sluice lint: ${e}`).join("\n")}\n\n${USAGE}`);
      return 2;
    }
    const outcome = await lintFiles(parsed.positional, {
      format: format as Format,
      strict: parsed.flags.has("strict"),
    });
    process.stdout.write(outcome.output);
    return outcome.exitCode;
  },
};
