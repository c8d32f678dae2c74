import { describe, expect, it } from "vitest";
import type { WorkerReply } from "../../../src/runtime/workers/messages.js";
import { reloadProblems } from "../../../src/runtime/workers/reload-agreement.js";
import type { WorkerStatus } from "../../../src/runtime/workers/worker-processes.js";

const status = (slot: number, state: WorkerStatus["state"] = "serving"): WorkerStatus => ({
  slot,
  pid: 1000 + slot,
  state,
  restarts: 0,
  startedAt: 0,
  lastError: null,
});
const prepared = (hash: string): WorkerReply => ({ kind: "prepared", version: hash.slice(0, 12), hash });

describe("reloadProblems", () => {
  it("lets a reload through when every serving worker compiled the primary's hash", () => {
    const answers = [
      { slot: 1, reply: prepared("abc") },
      { slot: 2, reply: prepared("abc") },
    ];
    expect(reloadProblems(answers, "abc", [status(1), status(2)])).toEqual([]);
  });

  it("stops it when one worker failed, compiled something else, or did not answer", () => {
    const answers = [
      { slot: 1, reply: { kind: "prepare_failed", report: "SLU0101 oops" } as const },
      { slot: 2, reply: prepared("abd") },
      { slot: 3, reply: null },
      { slot: 4, reply: prepared("abc") },
    ];
    const problems = reloadProblems(answers, "abc", [status(1), status(2), status(3), status(4)]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/worker 1 \(pid 1001\).*SLU0101 oops/s);
    expect(problems[1]).toMatch(/worker 2 .*abd.*abc/);
    expect(problems[2]).toMatch(/worker 3 .*did not answer/);
  });

  it("does not wait for a worker that is restarting (it starts with the new texts)", () => {
    const answers = [
      { slot: 1, reply: prepared("abc") },
      { slot: 2, reply: null },
    ];
    expect(reloadProblems(answers, "abc", [status(1), status(2, "restarting")])).toEqual([]);
  });
});
