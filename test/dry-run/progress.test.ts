import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../src/dry-run/progress.js";

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (t: string) => writes.push(t) > 0 };
}

describe("progress bar", () => {
  it("draws on a terminal and clears its line at the end", () => {
    const s = sink(true);
    const bar = new ProgressBar(s, 1000);
    bar.update(500, 1234);
    bar.update(600, 1500); // within 200 ms of the last draw: skipped
    bar.done();
    expect(s.writes).toHaveLength(2);
    expect(s.writes[0]).toMatch(/^\r\[#{15} {15}\] {2}50% {2}1,234 statements/);
    expect(s.writes[1]).toBe("\r\u001b[K");
  });

  it("writes nothing when stderr is not a terminal", () => {
    const s = sink(false);
    const bar = new ProgressBar(s, 1000);
    bar.update(500, 10);
    bar.done();
    expect(s.writes).toEqual([]);
  });

  it("shows a count without a bar when the size is unknown (stdin)", () => {
    const s = sink(true);
    new ProgressBar(s, 0).update(123, 7);
    expect(s.writes[0]).toMatch(/^\r7 statements/);
  });
});
