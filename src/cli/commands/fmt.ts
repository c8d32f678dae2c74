import { readFile, writeFile } from "node:fs/promises";
import { formatPolicy } from "../../policy/format/format.js";
import { parseFile } from "../../policy/syntax/parse-file.js";
import type { Command } from "../command.js";
import { renderText } from "../render/text.js";
import { expandPaths, parseArgs } from "./policy-files.js";

const USAGE = `sluice fmt [--check] FILES|DIRS…

Rewrites policy files in the one canonical layout, keeping comments. With --check nothing is
written: files that would change are listed and the exit status is 1.
A directory means every *.policy under it. Files with syntax errors are left alone (exit 1).
`;

export interface FmtOutcome {
  readonly exitCode: number;
  readonly output: string;
  readonly changed: readonly string[];
}

export async function fmtFiles(
  paths: readonly string[],
  options: { check?: boolean } = {},
): Promise<FmtOutcome> {
  const { files, missing } = await expandPaths(paths, ".policy");
  const out: string[] = missing.map((m) => `sluice fmt: ${m}: no such file or directory\n`);
  const changed: string[] = [];
  let failed = missing.length > 0;
  for (const file of files) {
    const text = await readFile(file, "utf8");
    const parsed = parseFile(file, text);
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      out.push(
        `sluice fmt: ${file} has syntax errors; not formatted\n`,
        renderText(errors, new Map([[file, text]])),
      );
      failed = true;
      continue;
    }
    const formatted = formatPolicy(parsed.file, text);
    if (formatted === text) continue;
    changed.push(file);
    if (options.check) out.push(`${file}: not formatted\n`);
    else {
      await writeFile(file, formatted);
      out.push(`${file}: formatted\n`);
    }
  }
  const exitCode = failed || (options.check && changed.length > 0) ? 1 : 0;
  return { exitCode, output: out.join(""), changed };
}

export const fmtCommand: Command = {
  name: "fmt",
  summary: "Format policy files canonically",
  usage: USAGE,
  async run(args) {
    const parsed = parseArgs(args, [], ["check", "help"]);
    if (parsed.flags.has("help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (parsed.positional.length === 0) parsed.errors.push("name at least one policy file or directory");
    if (parsed.errors.length > 0) {
      process.stderr.write(`${parsed.errors.map((e) => `sluice fmt: ${e}`).join("\n")}\n\n${USAGE}`);
      return 2;
    }
    const outcome = await fmtFiles(parsed.positional, { check: parsed.flags.has("check") });
    process.stdout.write(outcome.output);
    return outcome.exitCode;
  },
};
