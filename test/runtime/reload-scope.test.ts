import { describe, expect, it } from "vitest";
import type { SluiceConfig } from "../../src/config/index.js";
import { restartOnlyChanges, restartWarning } from "../../src/runtime/reload-scope.js";
import { baseEnv, MINIMAL, parse } from "../config/fake-io.js";

function config(text: string, env: Record<string, string> = baseEnv): SluiceConfig {
  const r = parse(text, env);
  if (r.kind !== "ok") throw new Error(JSON.stringify(r.diagnostics));
  return r.config;
}

const running = config(MINIMAL);

describe("restartOnlyChanges: what a reload cannot apply", () => {
  it("names nothing when only settings a reload applies changed", () => {
    const next = config(
      `${MINIMAL}pools:\n  statement_timeout_ms: 500\nlogging:\n  query_log:\n    full: true\nshutdown:\n  drain_timeout_ms: 1000\n`,
    );
    expect(restartOnlyChanges(running, next)).toEqual([]);
    expect(restartOnlyChanges(running, config(MINIMAL))).toEqual([]);
  });

  it("names each changed setting that takes a restart, as the YAML spells it", () => {
    const next = config(
      MINIMAL.replace("port: 3306", "port: 3307") +
        "pools:\n  max_per_server: 70\n  statement_timeout_ms: 500\nlogging:\n  level: warn\nworkers: 2\n",
    );
    expect(restartOnlyChanges(running, next)).toEqual([
      "listeners",
      "pools.max_per_server",
      "logging.level",
      "workers",
    ]);
  });

  it("names changed hooks: the monitor that runs them is built once", () => {
    const next = config(`${MINIMAL}hooks:\n  - on: failover\n    command: [/usr/local/bin/page]\n`);
    expect(restartOnlyChanges(running, next)).toEqual(["hooks"]);
  });

  it("sees a changed password without printing it", () => {
    const next = config(MINIMAL, { ...baseEnv, APP_PW: "rotated-secret" });
    const changed = restartOnlyChanges(running, next);
    expect(changed).toEqual(["users"]);
    expect(restartWarning(changed)).toBe(
      "changed settings that only a restart applies (the running values stay until then): users",
    );
    expect(restartOnlyChanges(running, config(MINIMAL, { ...baseEnv }))).toEqual([]);
  });
});
