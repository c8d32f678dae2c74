import { describe, expect, it } from "vitest";
import type { AdminSnapshot } from "../../src/admin/admin-snapshot.js";
import { executeAdmin } from "../../src/admin/execute-admin.js";
import { parseAdminCommand } from "../../src/admin/sql-commands.js";

const base: AdminSnapshot = {
  now: 0,
  servers: [],
  pools: [],
  sessions: [],
  rules: [],
  digests: [],
  policy: null,
};

describe("SHOW WORKERS", () => {
  it("parses case-insensitively", () => {
    expect(parseAdminCommand("show workers;")).toEqual({ kind: "ok", command: { kind: "show_workers" } });
  });

  it("lists each worker with its pid, clients and policy", () => {
    const r = executeAdmin(
      { kind: "show_workers" },
      {
        ...base,
        workers: [
          {
            worker: 1,
            pid: 321,
            state: "serving",
            clients: 4,
            policyVersion: "abc",
            policyHash: "abcdef",
            restarts: 1,
            startedAt: Date.UTC(2026, 0, 1),
            lastError: "pid 300 killed by SIGKILL",
          },
        ],
      },
    );
    expect(r).toMatchObject({
      kind: "rows",
      columns: [
        "worker",
        "pid",
        "state",
        "clients",
        "policy_version",
        "policy_hash",
        "restarts",
        "started_at",
        "last_error",
      ],
      rows: [
        [1, 321, "serving", 4, "abc", "abcdef", 1, "2026-01-01T00:00:00.000Z", "pid 300 killed by SIGKILL"],
      ],
    });
  });

  it("says so in a single process", () => {
    expect(executeAdmin({ kind: "show_workers" }, base)).toMatchObject({ kind: "error", code: 1105 });
  });
});
