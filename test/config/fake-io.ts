import { posix } from "node:path";
import type { ConfigIo } from "../../src/config/decode-context.js";
import { type ConfigResult, parseConfig } from "../../src/config/parse-config.js";

/** An in-memory file system and environment rooted at /cfg, so tests state every input. */
export function fakeIo(files: Record<string, string> = {}, env: Record<string, string> = {}): ConfigIo {
  const all: Record<string, string> = { "/cfg/main.policy": "", ...files };
  return {
    env,
    exists: (p) => p in all || Object.keys(all).some((f) => f.startsWith(`${p}/`)),
    resolvePath: (p) => posix.resolve("/cfg", p),
    readFile: (p) => {
      const text = all[p];
      return text === undefined ? { kind: "error", message: "no such file" } : { kind: "ok", text };
    },
  };
}

export const baseEnv = { APP_PW: "app-secret", MON_PW: "monitor-secret" };

/** Parses YAML text as /cfg/sluice.yaml with the given files and environment. */
export function parse(
  text: string,
  env: Record<string, string> = baseEnv,
  files: Record<string, string> = {},
): ConfigResult {
  return parseConfig(text, "sluice.yaml", fakeIo(files, env));
}

/** The diagnostics as compact tuples [code, path, line, col, message] for exact comparison. */
export function problems(result: ConfigResult): [string, string, number, number, string][] {
  if (result.kind === "ok") return [];
  return result.diagnostics.map((d) => [d.code, d.path, d.line, d.col, d.message]);
}

/** A minimal valid config; tests append or replace lines to break one thing at a time. */
export const MINIMAL = `listeners:
  - port: 3306
servers:
  - name: db1
    host: 127.0.0.1
users:
  - name: app
    password_env: APP_PW
monitor:
  user: monitor
  password_env: MON_PW
policy:
  files: [main.policy]
`;
