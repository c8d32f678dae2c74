import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ConfigIo } from "./decode-context.js";
import { ConfigCode } from "./diagnostic.js";
import { type ConfigResult, parseConfig } from "./parse-config.js";

export type ConfigInput =
  | { readonly path: string }
  /** text given directly; `baseDir` anchors relative paths (default: the current directory) */
  | { readonly text: string; readonly name?: string; readonly baseDir?: string };

export interface LoadOptions {
  /** where password_env is looked up (default: process.env) */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The shell around `parseConfig`: reads the file, resolves paths against its folder, reads secrets
 * from the real environment and file system. `sluice serve` and every reload call this.
 */
export function loadConfig(input: ConfigInput, options: LoadOptions = {}): ConfigResult {
  const env = options.env ?? process.env;
  if ("path" in input) {
    const abs = resolve(input.path);
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (e) {
      return {
        kind: "invalid",
        diagnostics: [
          {
            code: ConfigCode.configUnreadable,
            severity: "error",
            path: "",
            message: `cannot read the configuration: ${errorText(e)}`,
            hint: "pass the file with --config <path>",
            file: abs,
            line: 1,
            col: 1,
            frame: "",
          },
        ],
      };
    }
    return parseConfig(text, input.path, fileIo(dirname(abs), env), abs);
  }
  return parseConfig(input.text, input.name ?? "<config>", fileIo(resolve(input.baseDir ?? "."), env));
}

export function fileIo(baseDir: string, env: Readonly<Record<string, string | undefined>>): ConfigIo {
  return {
    env,
    exists: (p) => existsSync(p),
    resolvePath: (p) => resolve(baseDir, p),
    readFile(p) {
      try {
        return { kind: "ok", text: readFileSync(p, "utf8") };
      } catch (e) {
        return { kind: "error", message: errorText(e) };
      }
    },
  };
}

function errorText(e: unknown): string {
  if (e instanceof Error && "code" in e && typeof e.code === "string") {
    return e.code === "ENOENT" ? "no such file" : e.code === "EACCES" ? "permission denied" : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
