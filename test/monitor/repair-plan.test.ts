import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gtidOrEmpty } from "../../src/monitor/gtid.js";
import { joinable, planRepairs, type RepairAction } from "../../src/monitor/repair-plan.js";
import { deriveRoles } from "../../src/monitor/topology.js";
import type { ProbeResult } from "../../src/monitor/types.js";
import { channel, down, healthy, probeMap, replica, servers, up, view } from "./fixtures.js";

const opts = { enforceReadOnlyReplicas: true, promotion: null };
const afterFailover = {
  a: { role: "replica", replicatesFrom: null },
  b: { role: "primary", replicatesFrom: null },
  c: { role: "replica", replicatesFrom: "b" },
} as const;

describe("repairs: one writable primary", () => {
  it("fences and rejoins a returning old primary that has nothing the new one lacks", () => {
    const probes = probeMap(
      up("a", { gtidBinlogPos: "0-1-10", gtidCurrentPos: "0-1-10" }),
      up("b", { gtidBinlogPos: "0-2-14,0-1-10" }),
      replica("c", "b", "0-2-14"),
    );
    expect(planRepairs(view("b", probes, afterFailover), opts)).toEqual([
      { kind: "rejoin", server: "a", primary: "b", fence: true },
    ]);
  });

  it("fences but refuses to rejoin an old primary holding transactions the promoted one never got", () => {
    const probes = probeMap(
      up("a", { gtidBinlogPos: "0-1-12", gtidCurrentPos: "0-1-12" }),
      up("b", { gtidBinlogPos: "0-2-14" }),
      replica("c", "b", "0-2-14"),
    );
    const promotion = { primary: "b", oldPrimary: "a", position: gtidOrEmpty("0-1-10") };
    const [action] = planRepairs(view("b", probes, afterFailover), { ...opts, promotion });
    expect(action).toMatchObject({ kind: "refuse_rejoin", server: "a", fence: true });
    expect((action as Extract<RepairAction, { kind: "refuse_rejoin" }>).reason).toMatch(
      /^a has transactions that b does not .*rebuild it from b/,
    );
  });

  it("sets read_only on writable replicas and repoints replicas of a dead server", () => {
    const probes = probeMap(down("a"), up("b"), replica("c", "a", "", "", { readOnly: false }));
    const roles = { ...afterFailover, c: { role: "replica", replicatesFrom: "a" } } as const;
    expect(planRepairs(view("b", probes, roles), opts)).toEqual([
      { kind: "set_read_only", server: "c" },
      { kind: "repoint", server: "c", primary: "b" },
    ]);
  });

  it("leaves servers in maintenance and healthy chains alone, and only fences while the primary is down", () => {
    const probes = probeMap(up("a", { gtidBinlogPos: "0-1-1" }), up("b"), replica("c", "a", ""));
    const roles = { ...afterFailover, c: { role: "replica", replicatesFrom: "a" } } as const;
    // a itself is left alone; c, replicating from a server that is not in the tree, moves to b
    expect(planRepairs(view("b", probes, roles, { a: healthy({ admin: "maintenance" }) }), opts)).toEqual([
      { kind: "repoint", server: "c", primary: "b" },
    ]);
    // primary down: no rejoin or repoint, only fencing what is writable
    expect(
      planRepairs(view("b", probeMap(down("b"), up("a"), replica("c", "b", "")), afterFailover), opts),
    ).toEqual([{ kind: "set_read_only", server: "a" }]);
    const chain = probeMap(up("a"), replica("b", "a", ""), replica("c", "b", ""));
    const chainRoles = {
      a: { role: "primary", replicatesFrom: null },
      b: { role: "replica", replicatesFrom: "a" },
      c: { role: "replica", replicatesFrom: "b" },
    } as const;
    expect(planRepairs(view("a", chain, chainRoles), opts)).toEqual([]);
  });

  it("joinable: not ahead in any domain, and the same event at an equal seqno", () => {
    expect(joinable(gtidOrEmpty("0-1-10"), gtidOrEmpty("0-1-10"))).toBe(true);
    expect(joinable(gtidOrEmpty("0-1-10"), gtidOrEmpty("0-2-10"))).toBe(false);
    expect(joinable(gtidOrEmpty("0-1-10"), gtidOrEmpty("0-2-11"))).toBe(true);
    expect(joinable(gtidOrEmpty("0-1-11"), gtidOrEmpty("0-2-10"))).toBe(false);
    expect(joinable(gtidOrEmpty(""), gtidOrEmpty("0-2-10"))).toBe(true);
  });

  const names = ["a", "b", "c"] as const;
  const serverArb = (name: string) =>
    fc
      .record({
        reachable: fc.boolean(),
        readOnly: fc.boolean(),
        upstream: fc.constantFrom<string | null>(null, ...names.filter((n) => n !== name)),
        seq: fc.integer({ min: 0, max: 5 }),
      })
      .map((r): ProbeResult => {
        if (!r.reachable) return down(name);
        const gtid = `0-1-${r.seq}`;
        return up(name, {
          readOnly: r.readOnly,
          gtidBinlogPos: gtid,
          gtidCurrentPos: gtid,
          replication: r.upstream === null ? [] : [channel(r.upstream)],
        });
      });

  it("property: after the repairs, the primary is the only writable server", () => {
    fc.assert(
      fc.property(
        serverArb("a"),
        serverArb("b"),
        serverArb("c"),
        fc.constantFrom<string | null>(null, "a", "b", "c"),
        (a, b, c, prev) => {
          const probes = probeMap(a, b, c);
          const previous = prev === null ? null : { primary: prev, roles: new Map() };
          const roles = deriveRoles(servers, probes, previous);
          const v = { ...view(roles.primary, probes, {}), roles: roles.roles };
          const actions = planRepairs(v, opts);
          const fenced = new Set(
            actions
              .filter(
                (x) =>
                  x.kind === "set_read_only" ||
                  ((x.kind === "rejoin" || x.kind === "refuse_rejoin") && x.fence),
              )
              .map((x) => x.server),
          );
          const writable = [a, b, c]
            .filter((p) => p.kind === "reachable" && !p.readOnly && !fenced.has(p.server))
            .map((p) => p.server);
          // with no primary (ambiguous) nothing is touched: an operator must decide
          if (roles.primary === null) {
            expect(actions).toEqual([]);
            return;
          }
          expect(writable.filter((w) => w !== roles.primary)).toEqual([]);
          expect(fenced.has(roles.primary)).toBe(false);
        },
      ),
    );
  });
});
