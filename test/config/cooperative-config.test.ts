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
