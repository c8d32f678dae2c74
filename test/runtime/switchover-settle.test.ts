import { describe, expect, it } from "vitest";
import { SETTLE_LIMIT_MS, settleWrites } from "../../src/runtime/switchover-settle.js";

describe("waiting for writes under way before a switchover fences the old primary", () => {
  it("returns soon when nothing runs there", async () => {
    const started = Date.now();
    await settleWrites(() => 0, "db1");
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("waits until the statements running there have finished", async () => {
    const endAt = Date.now() + 300;
    const started = Date.now();
    await settleWrites(() => (Date.now() < endAt ? 2 : 0), "db1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("gives up after the limit when a statement never ends", async () => {
    const started = Date.now();
    await settleWrites(() => 1, "db1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(SETTLE_LIMIT_MS - 50);
  });
});
