import { describe, expect, it } from "vitest";
import { TopCounter } from "../../src/dry-run/top-counter.js";

describe("top counter", () => {
  it("ranks keys by count with their first example, ties by key", () => {
    const c = new TopCounter();
    for (const [k, e] of [
      ["b", "b1"],
      ["a", "a1"],
      ["b", "b2"],
      ["c", "c1"],
      ["a", "a2"],
    ] as const)
      c.add(k, e);
    expect(c.top(2)).toEqual([
      { digest: "a", count: 2, example: "a1" },
      { digest: "b", count: 2, example: "b1" },
    ]);
  });

  it("stays within its capacity on endless unique keys and keeps the frequent ones exact", () => {
    const c = new TopCounter(100);
    for (let i = 0; i < 10_000; i++) {
      c.add("hot", "x");
      c.add(`cold-${i}`, "y");
    }
    expect(c.top(1)).toEqual([{ digest: "hot", count: 10_000, example: "x" }]);
    expect(c.top(Number.MAX_SAFE_INTEGER).length).toBeLessThanOrEqual(100);
  });
});
