import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type ConfigResult,
  formatConfigDiagnostic,
  loadConfig,
  parseConfig,
  type SluiceConfig,
} from "../config/index.js";
import { fileIo } from "../config/load.js";
import { type ActivePolicy, loadActivePolicy } from "./active-policy.js";

/**
 * The config file's text as it was read, with what parsing it again needs. With `--workers N` the
 * primary process sends this to its workers, so they parse exactly what it checked even if the
 * file has changed since.
 */
export interface ConfigText {
  readonly text: string;
  /** the path as given (diagnostics show it) */
  readonly name: string;
  /** relative paths in the config are resolved from here */
  readonly baseDir: string;
  /** the absolute path (`config.source`) */
  readonly source: string;
}

export type RuntimeLoad =
  | {
      readonly kind: "ok";
      readonly config: SluiceConfig;
      readonly configText: ConfigText;
      readonly policy: ActivePolicy;
      /** policy warnings, rendered; empty when none */
      readonly warnings: string;
    }
  | { readonly kind: "invalid"; readonly diagnostics: readonly string[] };

/** Reads, checks and compiles config and policy (at start and on each reload). */
export async function loadRuntime(configPath: string, generation: number): Promise<RuntimeLoad> {
  const configText = readConfigText(configPath);
  if (configText === null) {
    // unreadable: loadConfig words the diagnostic as usual
    const failed = loadConfig({ path: configPath });
    return {
      kind: "invalid",
      diagnostics:
        failed.kind === "invalid"
          ? failed.diagnostics.map(formatConfigDiagnostic)
          : [`cannot read the configuration ${configPath}`],
    };
  }
  const loaded = parseConfigText(configText);
  if (loaded.kind === "invalid") {
    return { kind: "invalid", diagnostics: loaded.diagnostics.map(formatConfigDiagnostic) };
  }
  const policy = await loadActivePolicy(loaded.config.policy.files, generation);
  if (policy.kind === "error") return { kind: "invalid", diagnostics: [policy.report] };
  return { kind: "ok", config: loaded.config, configText, policy: policy.policy, warnings: policy.warnings };
}

export function parseConfigText(t: ConfigText, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  return parseConfig(t.text, t.name, fileIo(t.baseDir, env), t.source);
}

function readConfigText(path: string): ConfigText | null {
  const abs = resolve(path);
  try {
    return { text: readFileSync(abs, "utf8"), name: path, baseDir: dirname(abs), source: abs };
  } catch {
    return null;
  }
}
