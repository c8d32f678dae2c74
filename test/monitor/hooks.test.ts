import { describe, expect, it } from "vitest";
import { hookInvocation, hookMatches } from "../../src/monitor/hook-invocation.js";
import { runHook } from "../../src/monitor/hooks.js";
import type { MonitorEvent } from "../../src/monitor/types.js";

const failover: MonitorEvent = {
  kind: "failover",
  oldPrimary: "a",
  newPrimary: "b; rm -rf /",
  gtid: "0-2-5",
  durationMs: 812,
};

describe("event hooks", () => {
  it("passes the event kind and fields as argv and SLUICE_* variables, without a shell", () => {
    const inv = hookInvocation(
      { on: ["failover"], command: ["/usr/local/bin/notify", "--team=db"], timeoutMs: 1000 },
      failover,
      0,
    );
    expect(inv.file).toBe("/usr/local/bin/notify");
    expect(inv.args).toEqual(["--team=db", "failover", "a", "b; rm -rf /", "0-2-5", "812"]);
    expect(inv.env).toEqual({
      SLUICE_EVENT: "failover",
      SLUICE_TIME: "1970-01-01T00:00:00.000Z",
      SLUICE_SERVER: "b; rm -rf /",
      SLUICE_OLD_PRIMARY: "a",
      SLUICE_NEW_PRIMARY: "b; rm -rf /",
      SLUICE_GTID: "0-2-5",
      SLUICE_DURATION_MS: "812",
    });
  });

  it("matches configured kinds or *", () => {
    expect(hookMatches({ on: ["server_down"], command: ["x"], timeoutMs: 1 }, failover)).toBe(false);
    expect(hookMatches({ on: ["*"], command: ["x"], timeoutMs: 1 }, failover)).toBe(true);
  });

  it("runs the command and captures its output", async () => {
    const inv = hookInvocation(
      {
        on: ["*"],
        command: [
          process.execPath,
          "-e",
          "console.log(process.argv.slice(1).join('|'), process.env.SLUICE_NEW_PRIMARY)",
        ],
        timeoutMs: 5000,
      },
      failover,
      0,
    );
    const r = await runHook(inv, 5000);
    expect(r).toMatchObject({
      exitCode: 0,
      timedOut: false,
      error: null,
      stdout: "failover|a|b; rm -rf /|0-2-5|812 b; rm -rf /\n",
    });
  });

  it("kills a hook that outlives its timeout, and reports a missing executable", async () => {
    const slow = await runHook(
      { file: process.execPath, args: ["-e", "setTimeout(() => {}, 60000)"], env: {} },
      200,
    );
    expect(slow).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(slow.durationMs).toBeLessThan(10_000);
    const missing = await runHook({ file: "/nonexistent/sluice-hook", args: [], env: {} }, 1000);
    expect(missing.error).toMatch(/ENOENT/);
  });
});
