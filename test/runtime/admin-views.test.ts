import { describe, expect, it } from "vitest";
import type { PoolKeyStats } from "../../src/pool/pool-types.js";
import { adminPools, mergePoolRows, serverConnections } from "../../src/runtime/admin-views.js";
import { compileOk, POOLS } from "../policy/support/compile.js";

const policy = compileOk(`${POOLS}pool everything {\n  role = any\n}\ndefault -> route primary\n`).policy;
const pools = new Map(policy.pools.map((p) => [p.name, p]));
const roles: Record<string, string> = { db1: "primary", db2: "replica" };

function stats(server: string, user: string, profile: string, n: Partial<PoolKeyStats>): PoolKeyStats {
  return {
    key: { server, user, profile },
    open: 0,
    idle: 0,
    leased: 0,
    opening: 0,
    waiting: 0,
    max: 10,
    openedTotal: 0,
    closedTotal: 0,
    waitsTotal: 0,
    waitTimeouts: 0,
    ...n,
  };
}

describe("SHOW POOLS rows", () => {
  it("add up a user's capability profiles per server and name the policy pools using the server", () => {
    const rows = adminPools(
      [
        stats("db1", "app", "p1", {
          open: 3,
          idle: 1,
          leased: 2,
          openedTotal: 5,
          closedTotal: 2,
          waitsTotal: 1,
        }),
        stats("db1", "app", "p2", { open: 1, idle: 1, openedTotal: 1, waiting: 2 }),
        stats("db1", "report", "p1", { open: 2, leased: 2, openedTotal: 2 }),
        stats("db2", "app", "p1", { open: 4, idle: 4, openedTotal: 6, closedTotal: 2, waitTimeouts: 3 }),
      ],
      pools,
      (s) => roles[s] ?? "unknown",
    );
    expect(rows).toEqual([
      {
        server: "db1",
        user: "app",
        pools: ["primary", "everything"],
        open: 4,
        idle: 2,
        leased: 2,
        opening: 0,
        waiting: 2,
        max: 10,
        openedTotal: 6,
        closedTotal: 2,
        waitsTotal: 1,
        waitTimeouts: 0,
      },
      expect.objectContaining({ server: "db1", user: "report", open: 2, leased: 2 }),
      expect.objectContaining({ server: "db2", user: "app", pools: ["replicas", "everything"], open: 4 }),
    ]);
    expect(serverConnections(rows, "db1")).toEqual({ busy: 4, idle: 2 });
    expect(serverConnections(rows, "db3")).toEqual({ busy: 0, idle: 0 });
  });

  it("merge workers' rows: counts add up, max only when asked", () => {
    const one = adminPools([stats("db1", "app", "p", { open: 1, idle: 1 })], pools, () => "primary");
    const merged = mergePoolRows([...one, ...one], true);
    expect(merged).toEqual([
      expect.objectContaining({ open: 2, idle: 2, max: 20, pools: ["primary", "everything"] }),
    ]);
    expect(mergePoolRows([...one, ...one])[0]?.max).toBe(10);
  });
});
