import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideFailover, planFailover } from "../../src/monitor/failover-plan.js";
import { gtidOrEmpty, gtidReaches } from "../../src/monitor/gtid.js";
import { receivedPosition } from "../../src/monitor/plan-view.js";
import type { ProbeResult, ReachableProbe } from "../../src/monitor/types.js";
import { channel, down, healthy, probeMap, replica, view } from "./fixtures.js";

const roles = {
  a: { role: "primary", replicatesFrom: null },
  b: { role: "replica", replicatesFrom: "a" },
  c: { role: "replica", replicatesFrom: "a" },
} as const;
const deadA = { a: healthy({ health: "down", failures: 3 }) };
const decision = {
  mode: "auto",
  failAfter: 3,
  verifyPrimaryFailure: true,
  leader: true,
  backoffUntil: 0,
  now: 1,
} as const;
const connecting = (from: string, io: string) => [channel(from, { ioRunning: "Connecting", gtidIoPos: io })];

describe("failover decision", () => {
  const probes = probeMap(
    down("a"),
    replica("b", "a", "0-1-5", "0-1-5", { replication: connecting("a", "0-1-5") }),
    replica("c", "a", "0-1-5", "0-1-5", { replication: connecting("a", "0-1-5") }),
  );

  it("goes when the primary failed failAfter checks and replicas lost it too", () => {
    expect(decideFailover(view("a", probes, roles, deadA), decision)).toEqual({ kind: "go" });
  });

  it("waits, or refuses, otherwise — saying why", () => {
    const v = view("a", probes, roles, deadA);
    expect(decideFailover(v, { ...decision, mode: "manual" })).toEqual({
      kind: "no",
      reason: "failover mode is manual",
    });
    expect(decideFailover(v, { ...decision, leader: false }).kind).toBe("no");
    expect(decideFailover(v, { ...decision, failAfter: 4 })).toEqual({
      kind: "wait",
      reason: "primary a failed 3/4 checks",
    });
    expect(decideFailover(v, { ...decision, backoffUntil: 5 }).kind).toBe("wait");
    const live = probeMap(
      down("a"),
      replica("b", "a", "0-1-5"),
      replica("c", "a", "0-1-5", "0-1-5", { replication: connecting("a", "") }),
    );
    expect(decideFailover(view("a", live, roles, deadA), decision)).toEqual({
      kind: "wait",
      reason: "b still receive from a (IO thread running): the primary may only be unreachable from here",
    });
    expect(decideFailover(view("a", probes, roles), decision)).toEqual({
      kind: "no",
      reason: "primary a is not down",
    });
  });
});

describe("failover plan", () => {
  it("promotes the replica that received the most, even if it applied less", () => {
    const probes = probeMap(
      down("a"),
      replica("b", "a", "0-1-9", "0-1-9"),
      replica("c", "a", "0-1-7", "0-1-12"),
    );
    expect(planFailover(view("a", probes, roles, deadA))).toEqual({
      kind: "promote",
      oldPrimary: "a",
      candidate: "c",
      candidateGtid: "0-1-12",
      repoint: ["b"],
      untouched: [],
    });
  });

  it("on a tie prefers config order, online over draining, log_slave_updates", () => {
    const probes = probeMap(down("a"), replica("b", "a", "0-1-9"), replica("c", "a", "0-1-9"));
    expect(planFailover(view("a", probes, roles, deadA))).toMatchObject({ candidate: "b" });
    expect(
      planFailover(view("a", probes, roles, { ...deadA, b: healthy({ admin: "draining" }) })),
    ).toMatchObject({ candidate: "c" });
  });

  it("is blocked rather than promoting a replica behind another", () => {
    const probes = probeMap(down("a"), replica("b", "a", "0-1-9"), replica("c", "a", "0-1-12"));
    const p = planFailover(view("a", probes, roles, { ...deadA, c: healthy({ admin: "maintenance" }) }));
    expect(p).toEqual({
      kind: "blocked",
      oldPrimary: "a",
      reason: "the most advanced replicas cannot be promoted (c: it is in maintenance)",
    });
    const nobin = probeMap(
      down("a"),
      replica("b", "a", "0-1-9"),
      replica("c", "a", "0-1-12", "0-1-12", { logBin: false }),
    );
    expect(planFailover(view("a", nobin, roles, deadA))).toMatchObject({ kind: "blocked" });
  });

  it("is blocked on diverged positions", () => {
    const probes = probeMap(down("a"), replica("b", "a", "0-1-9,1-1-1"), replica("c", "a", "0-1-8,1-1-2"));
    expect(planFailover(view("a", probes, roles, deadA))).toEqual({
      kind: "blocked",
      oldPrimary: "a",
      reason:
        "no replica has everything the others have (diverged GTID positions: b/c); fix replication by hand",
    });
  });

  const pos = fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3 }))
    .map(([d0, d1, extra]) => ({ current: `0-1-${d0},1-1-${d1}`, io: `0-1-${d0 + extra},1-1-${d1}` }));
  const replicaArb = (name: string) =>
    fc
      .record({ reachable: fc.boolean(), pos, logBin: fc.boolean() })
      .map(
        (r): ProbeResult =>
          r.reachable ? replica(name, "a", r.pos.current, r.pos.io, { logBin: r.logBin }) : down(name),
      );

  it("property: the promoted replica has received everything every other reachable replica has", () => {
    fc.assert(
      fc.property(replicaArb("b"), replicaArb("c"), fc.boolean(), fc.boolean(), (b, c, mb, mc) => {
        const v = view("a", probeMap(down("a"), b, c), roles, {
          ...deadA,
          b: healthy({ admin: mb ? "maintenance" : "online" }),
          c: healthy({ admin: mc ? "maintenance" : "online" }),
        });
        const plan = planFailover(v);
        if (plan.kind !== "promote") return;
        const reachable = [b, c].filter((p): p is ReachableProbe => p.kind === "reachable");
        const chosen = reachable.find((p) => p.server === plan.candidate);
        expect(chosen).toBeDefined();
        expect(chosen?.logBin).toBe(true);
        expect(v.health.get(plan.candidate)?.admin).not.toBe("maintenance");
        for (const o of reachable)
          expect(gtidReaches(gtidOrEmpty(plan.candidateGtid), receivedPosition(o))).toBe(true);
        // exactly one server becomes writable; it is neither repointed nor the old primary
        expect(plan.repoint).not.toContain(plan.candidate);
        expect(plan.candidate).not.toBe("a");
        expect(new Set([...plan.repoint, ...plan.untouched]).size).toBe(reachable.length - 1);
      }),
    );
  });
});
