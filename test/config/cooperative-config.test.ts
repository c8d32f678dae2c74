import { describe, expect, it } from "vitest";
import { MINIMAL, parse, problems } from "./fake-io.js";

/** monitor.cooperative (issue 16): MaxScale's cooperative_monitoring_locks, default argued in the README. */
describe("monitor.cooperative", () => {
  it("defaults to majority_of_running", () => {
    const r = parse(MINIMAL);
    expect(r.kind === "ok" && r.config.monitor.cooperative).toBe("majority_of_running");
  });

  it("takes majority_of_all, majority_of_running and none", () => {
    for (const mode of ["majority_of_all", "majority_of_running", "none"] as const) {
      const r = parse(
        MINIMAL.replace("  password_env: MON_PW\n", `  password_env: MON_PW\n  cooperative: ${mode}\n`),
      );
      expect(problems(r)).toEqual([]);
      expect(r.kind === "ok" && r.config.monitor.cooperative).toBe(mode);
    }
  });

  it("refuses anything else, naming the choices", () => {
    const r = parse(
      MINIMAL.replace("  password_env: MON_PW\n", "  password_env: MON_PW\n  cooperative: majority\n"),
    );
    expect(r.kind).toBe("invalid");
    expect(JSON.stringify(problems(r))).toMatch(/majority_of_all/);
  });
});

/** monitor.failover_hold_ms (issue 16 item 3): how long statements wait for a new primary. */
describe("monitor.failover_hold_ms", () => {
  const withMonitor = (lines: string) =>
    parse(MINIMAL.replace("  password_env: MON_PW\n", `  password_env: MON_PW\n${lines}`));

  it("is 10 s under failover auto and 0 otherwise, unless set", () => {
    const auto = withMonitor("  failover: auto\n  replication: { user: r, password_env: MON_PW }\n");
    expect(problems(auto)).toEqual([]);
    expect(auto.kind === "ok" && auto.config.monitor.failoverHoldMs).toBe(10_000);
    const manual = parse(MINIMAL);
    expect(manual.kind === "ok" && manual.config.monitor.failoverHoldMs).toBe(0);
    const set = withMonitor("  failover_hold_ms: 2500\n");
    expect(set.kind === "ok" && set.config.monitor.failoverHoldMs).toBe(2500);
  });

  it("refuses a negative or absurd hold", () => {
    expect(withMonitor("  failover_hold_ms: -1\n").kind).toBe("invalid");
    expect(withMonitor("  failover_hold_ms: 3600000\n").kind).toBe("invalid");
  });
});
