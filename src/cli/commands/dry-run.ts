import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type ConfigResult, parseConfig } from "../../config/index.js";
import { fileIo } from "../../config/load.js";
import { FAIL_CONDITION_NAMES, type FailCondition, parseFailOn } from "../../dry-run/fail-on.js";
import { INPUT_FORMATS, type InputFormat } from "../../dry-run/log-event.js";
import { type LoadedPolicy, loadPolicy, runDryRun } from "../../dry-run/run.js";
import type { DryRunServer } from "../../dry-run/topology.js";
import type { Command } from "../command.js";
import { renderText as renderDiagnostics } from "../render/text.js";
import { parseArgs } from "./policy-files.js";

const USAGE = `Usage: sluice dry-run --policy FILE [options] LOG…

Replays query logs against a policy: every statement is classified, its session (default
database, transaction, autocommit, temporary tables, locks) simulated per connection, and routed
by the same code as \`sluice serve\`. Prints where the statements would go.

LOG is a general query log, a slow query log, a SQL file or JSON lines (one object per line with
"sql" and optional "thread", "user", "schema", "in_transaction"); gzip is recognised; - is stdin.

Options:
  --policy FILE          the policy to try (with everything it imports); or policy files from --config
  --config FILE          sluice.yaml: its servers (names and roles) and its policy
  --input-format F       force the format: ${INPUT_FORMATS.join(", ")} (default: detected per file)
  --output FILE          one JSON object per statement (sql, target, role, rule, thread, line, …); - = stdout
  --diff FILE            compare with another policy: digests whose routing changes, old × new pools
  --fail-on LIST         exit 1 when any of these occurs (comma-separated):
                         ${FAIL_CONDITION_NAMES.join(", ")}
  --json                 the summary as JSON
  --top N                digests shown per pool (default 5)
  --user NAME            user of sessions whose connect is not in the log
  --schema NAME          default database of such sessions

Exit status: 0 done, 1 a --fail-on condition holds, 2 bad usage or unreadable input.
`;

export const dryRunCommand: Command = {
  name: "dry-run",
  summary: "Replay query logs against a policy and report where each statement goes",
  usage: USAGE,
  async run(args) {
    const parsed = parseArgs(
      args,
      ["policy", "config", "input-format", "output", "diff", "fail-on", "top", "user", "schema"],
      ["json", "help"],
    );
    if (parsed.flags.has("help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    const text = (name: string): string | undefined => {
      const v = parsed.flags.get(name);
      return typeof v === "string" ? v : undefined;
    };
    const errors = [...parsed.errors];
    const format = text("input-format");
    if (format !== undefined && !(INPUT_FORMATS as readonly string[]).includes(format)) {
      errors.push(`--input-format is one of ${INPUT_FORMATS.join(", ")}`);
    }
    let failOn: readonly FailCondition[] = [];
    const failText = text("fail-on");
    if (failText !== undefined) {
      const f = parseFailOn(failText);
      if (f.kind === "error") errors.push(f.message);
      else failOn = f.conditions;
    }
    const top = text("top") === undefined ? 5 : Number(text("top"));
    if (!Number.isInteger(top) || top < 0) errors.push("--top takes a whole number");
    if (parsed.positional.length === 0) errors.push("name at least one log file (or - for stdin)");

    let servers: DryRunServer[] | undefined;
    let policyFile = text("policy");
    const configPath = text("config");
    if (configPath !== undefined) {
      const config = loadConfigWithoutSecrets(configPath);
      if (config.kind === "unreadable") errors.push(config.message);
      else if (config.kind === "invalid") {
        for (const d of config.diagnostics) errors.push(`${configPath}: ${d.path}: ${d.message}`);
      } else {
        servers = serversOf(config.config.servers);
        policyFile ??= config.config.policy.files[0];
      }
    }
    if (policyFile === undefined)
      errors.push("--policy FILE is required (or a --config that names policy files)");
    if (errors.length > 0) {
      process.stderr.write(`${errors.map((e) => `sluice dry-run: ${e}`).join("\n")}\n\n${USAGE}`);
      return 2;
    }

    const policy = await load(policyFile!);
    if (policy === null) return 2;
    const diffFile = text("diff");
    const diff = diffFile === undefined ? undefined : await load(diffFile);
    if (diff === null) return 2;

    const user = text("user");
    const schema = text("schema");
    const output = text("output");
    const result = await runDryRun(
      {
        policy,
        ...(diff === undefined ? {} : { diff }),
        logs: parsed.positional,
        ...(format === undefined ? {} : { format: format as InputFormat }),
        ...(output === undefined ? {} : { output }),
        json: parsed.flags.has("json"),
        failOn,
        top,
        ...(servers === undefined ? {} : { servers }),
        ...(user === undefined ? {} : { defaultUser: user }),
        ...(schema === undefined ? {} : { defaultSchema: schema }),
      },
      { stdout: process.stdout, stderr: process.stderr },
    );
    return result.exitCode;
  },
};

async function load(file: string): Promise<LoadedPolicy | null> {
  const loaded = await loadPolicy(file);
  switch (loaded.kind) {
    case "ok":
      return loaded.policy;
    case "unreadable":
      process.stderr.write(`sluice dry-run: cannot read the policy ${file}\n`);
      return null;
    case "error":
      process.stderr.write(renderDiagnostics(loaded.diagnostics, loaded.sources));
      process.stderr.write(`sluice dry-run: the policy ${file} has errors (run \`sluice lint ${file}\`)\n`);
      return null;
  }
}

/** Configured servers as the dry-run topology: the one marked primary (else the first) writes. */
function serversOf(configured: readonly { name: string; role: string }[]): DryRunServer[] {
  const primary = configured.find((s) => s.role === "primary") ?? configured[0];
  return configured.map((s) => ({ name: s.name, role: s === primary ? "primary" : "replica" }));
}

/**
 * Reads sluice.yaml for its servers and policy files only: a dry-run never connects, so the
 * passwords it names (environment variables, secret files) need not be available here.
 */
function loadConfigWithoutSecrets(
  path: string,
): ConfigResult | { readonly kind: "unreadable"; readonly message: string } {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (error) {
    return {
      kind: "unreadable",
      message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
  }
  const real = fileIo(dirname(abs), {});
  const placeholder = "(not needed by dry-run)";
  const env = new Proxy<Record<string, string>>({}, { get: () => placeholder });
  const io = {
    ...real,
    env,
    readFile: (p: string) => {
      const r = real.readFile(p);
      return r.kind === "ok" ? r : { kind: "ok" as const, text: placeholder };
    },
  };
  return parseConfig(text, abs, io, abs);
}
