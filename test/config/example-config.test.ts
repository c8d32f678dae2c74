import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";

const EXAMPLE = new URL("../../sluice.example.yaml", import.meta.url).pathname;
const env = {
  SLUICE_ADMIN_PASSWORD: "admin-pw",
  SLUICE_APP_PASSWORD: "app-pw",
  SLUICE_MONITOR_PASSWORD: "monitor-pw",
  SLUICE_REPL_PASSWORD: "repl-pw",
};

// A copy of the example in its own folder, with the policy file it names, proves relative paths
// resolve from the config file's folder and not from the current directory.
const dir = mkdtempSync(join(tmpdir(), "sluice-config-"));
mkdirSync(join(dir, "policies"));
writeFileSync(join(dir, "policies", "default.policy"), "");
copyFileSync(EXAMPLE, join(dir, "sluice.yaml"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sluice.example.yaml", () => {
  it("loads without diagnostics", () => {
    const r = loadConfig({ path: join(dir, "sluice.yaml") }, { env });
    if (r.kind !== "ok") throw new Error(r.diagnostics.map((d) => `${d.path}: ${d.message}`).join("\n"));
    const c = r.config;
    expect(r.warnings).toEqual([]);
    expect(c.source).toBe(join(dir, "sluice.yaml"));
    expect(c.servers.map((s) => [s.name, s.role, s.weight])).toEqual([
      ["db1", "primary", 1],
      ["db2", "replica", 1],
      ["db3", "replica", 2],
    ]);
    expect(c.admin).toMatchObject({ host: "127.0.0.1", port: 6032, user: "admin" });
    expect(c.http).toEqual({ host: "127.0.0.1", port: 9104 });
    expect(c.users.map((u) => [u.name, u.password.kind])).toEqual([
      ["app", "plain"],
      ["reporting", "native_hash"],
    ]);
    expect(c.monitor.replication?.password.reveal()).toBe("repl-pw");
    expect(c.hooks).toEqual([
      {
        on: ["failover", "failover_failed"],
        command: ["/usr/local/bin/notify-oncall", "--channel", "databases"],
        timeoutMs: 10_000,
      },
    ]);
    expect(c.logging.queryLog).toEqual({
      enabled: true,
      slowMs: 1000,
      sampleRate: 0.01,
      full: false,
      redactLiterals: true,
      destination: { kind: "stdout" },
    });
    expect(c.policy.files).toEqual([join(dir, "policies", "default.policy")]);
  });

  it("never shows a secret when the loaded config is printed or serialised", () => {
    const r = loadConfig({ path: join(dir, "sluice.yaml") }, { env });
    if (r.kind !== "ok") throw new Error("example did not load");
    const printed = [
      JSON.stringify(r.config),
      inspect(r.config, { depth: 10 }),
      String(r.config.monitor.credentials.password),
    ];
    for (const text of printed) {
      for (const secret of Object.values(env)) expect(text).not.toContain(secret);
      expect(text).toContain("[redacted]");
    }
  });

  it("documents every key with a comment where it first appears", () => {
    const lines = readFileSync(EXAMPLE, "utf8").split("\n");
    const seen = new Set<string>();
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      const key = /^\s*(?:-\s+)?([a-z_]+):/.exec(line)?.[1];
      if (key === undefined || seen.has(key)) return;
      seen.add(key);
      const commentAbove = (lines[i - 1] ?? "").trim().startsWith("#");
      if (!line.includes("#") && !commentAbove) undocumented.push(`${i + 1}: ${line}`);
    });
    expect(seen.size).toBeGreaterThan(50);
    expect(undocumented).toEqual([]);
  });

  it("says which file it could not read", () => {
    const r = loadConfig({ path: join(dir, "missing.yaml") });
    expect(r.kind === "invalid" && r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["CFG016", "cannot read the configuration: no such file"],
    ]);
  });
});
