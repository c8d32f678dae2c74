import { describe, expect, it } from "vitest";
import { MINIMAL, parse, problems } from "./fake-io.js";

const withPools = (value: string) => `${MINIMAL}pools:\n  statement_timeout_ms: ${value}\n`;

describe("pools.statement_timeout_ms: the default statement time limit", () => {
  it("is off unless given; takes milliseconds or off", () => {
    const none = parse(MINIMAL);
    expect(none.kind === "ok" && none.config.pools.statementTimeoutMs).toBeNull();
    const set = parse(withPools("1500"));
    expect(set.kind === "ok" && set.config.pools.statementTimeoutMs).toBe(1500);
    const off = parse(withPools("off"));
    expect(off.kind === "ok" && off.config.pools.statementTimeoutMs).toBeNull();
  });

  it.each(["0", "-5", "90000000", '"30s"'])("refuses %s with a located diagnostic", (value) => {
    const r = parse(withPools(value));
    expect(r.kind).toBe("invalid");
    const [first] = problems(r);
    expect(first?.[1]).toBe("pools.statement_timeout_ms");
    expect(first?.[2]).toBe(MINIMAL.split("\n").length + 1);
  });
});
