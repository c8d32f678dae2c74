import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStep } from "../../src/monitor/check-step.js";
import { monitorDefaults } from "../../src/monitor/config.js";
import { nextDeadBounds, noDeadBounds } from "../../src/monitor/dead-bounds.js";
import { planFailover } from "../../src/monitor/failover-plan.js";
import { emptyLagHistory } from "../../src/monitor/lag.js";
import {
  type CooperativeMode,
  decideLocks,
  type LockObservation,
  majorityOf,
  quorumBase,
} from "../../src/monitor/lock-plan.js";
import type { ProbeResult } from "../../src/monitor/types.js";
import { down, healthy, probeMap, replica, servers, up, view } from "./fixtures.js";

/**
 * Issue 16, double faults: with a replica dead and then the primary, the survivor is promoted
 * only when it provably holds everything the dead replica had; a lone instance leads under
 * majority_of_running; two instances never lead together.
 */
const roles = {
  a: { role: "primary", replicatesFrom: null },
  b: { role: "replica", replicatesFrom: "a" },
  c: { role: "replica", replicatesFrom: "a" },
} as const;
const deadA = { a: healthy({ health: "down", failures: 3 }) };
const primaryAt = (gtid: string) => up("a", { gtidCurrentPos: gtid, gtidBinlogPos: gtid });

describe("what a dead server can hold at most", () => {
  const v = (...probes: ProbeResult[]) => ({ servers, probes: probeMap(...probes), primary: "a" });

  it("is the primary's position at the check after the server's connection was refused", () => {
    const first = nextDeadBounds(noDeadBounds, v(primaryAt("0-1-5"), down("b"), replica("c", "a", "0-1-5")));
    // refused at this check: the primary's answer may predate b's death, so no bound yet
    expect(first.bounds.size).toBe(0);
    const second = nextDeadBounds(first, v(primaryAt("0-1-7"), down("b"), replica("c", "a", "0-1-7")));
    expect(second.bounds.get("b")).toBe("0-1-7");
    // kept (the earliest bound is the tightest) while b stays dead, dropped once it answers
    const third = nextDeadBounds(second, v(primaryAt("0-1-9"), down("b"), replica("c", "a", "0-1-9")));
    expect(third.bounds.get("b")).toBe("0-1-7");
    const back = nextDeadBounds(
      third,
      v(primaryAt("0-1-9"), replica("b", "a", "0-1-9"), replica("c", "a", "0-1-9")),
    );
    expect(back.bounds.size).toBe(0);
  });

  it("is never known for a server last seen with transactions the primary lacks", () => {
    const errant = replica("b", "a", "0-1-5,1-2-1");
    let b = nextDeadBounds(noDeadBounds, v(primaryAt("0-1-5"), errant, replica("c", "a", "0-1-5")));
    for (let i = 0; i < 3; i++)
      b = nextDeadBounds(b, v(primaryAt("0-1-9"), down("b"), replica("c", "a", "0-1-9")));
    expect(b.bounds.size).toBe(0);
  });

  it("is never known for a server that times out (it may be running, cut off from Sluice only)", () => {
    let b = noDeadBounds;
    for (let i = 0; i < 5; i++)
      b = nextDeadBounds(b, v(primaryAt("0-1-5"), down("b", false), replica("c", "a", "0-1-5")));
    expect(b.bounds.size).toBe(0);
  });

  it("is never known when the primary died at the same time", () => {
    let b = noDeadBounds;
    for (let i = 0; i < 5; i++) b = nextDeadBounds(b, v(down("a"), down("b"), replica("c", "a", "0-1-5")));
    expect(b.bounds.size).toBe(0);
  });

  it("is built by the monitor's check step and reaches the planners' view", () => {
    let state = { roles: null, health: new Map(), lagHistory: emptyLagHistory } as Parameters<
      typeof checkStep
    >[2];
    const checks = [
      probeMap(primaryAt("0-1-5"), replica("b", "a", "0-1-5"), replica("c", "a", "0-1-5")),
      probeMap(primaryAt("0-1-6"), down("b"), replica("c", "a", "0-1-6")),
      probeMap(primaryAt("0-1-8"), down("b"), replica("c", "a", "0-1-8")),
    ];
    let last: ReturnType<typeof checkStep> | null = null;
    for (const [i, probes] of checks.entries()) {
      last = checkStep(servers, monitorDefaults, state, probes, 1000 * (i + 1));
      state = last.state;
    }
    expect(last?.view.deadBounds?.get("b")).toBe("0-1-8");
  });
});

describe("promoting the survivor of a double fault", () => {
  it("promotes it when it received what the primary had after the other replica died", () => {
    const probes = probeMap(down("a"), down("b"), replica("c", "a", "0-1-8", "0-1-9"));
    const plan = planFailover({ ...view("a", probes, roles, deadA), deadBounds: new Map([["b", "0-1-9"]]) });
    expect(plan).toMatchObject({ kind: "promote", candidate: "c", repoint: [] });
  });

  it("blocks, saying why, when the survivor may lack what the dead replica had", () => {
    const probes = probeMap(down("a"), down("b"), replica("c", "a", "0-1-8"));
    const behind = planFailover({
      ...view("a", probes, roles, deadA),
      deadBounds: new Map([["b", "0-1-9"]]),
    });
    expect(behind).toEqual({
      kind: "blocked",
      oldPrimary: "a",
      reason:
        "cannot prove that c holds everything the unreachable servers had: b died when a was at 0-1-9, and c has received only 0-1-8: b may hold transactions c lacks; bring b back and the failover goes on",
    });
    const unknown = planFailover(view("a", probes, roles, deadA));
    expect(unknown.kind).toBe("blocked");
    expect(unknown.kind === "blocked" && unknown.reason).toMatch(
      /b is unreachable but was not seen refusing connections while a still answered/,
    );
  });
});

describe("cooperative leadership", () => {
  const obs = (server: string, owner: number | null, ours: number, reachable: boolean): LockObservation => ({
    server,
    reachable,
    owner: reachable ? owner : null,
    ours,
  });

  it("counts the majority of all servers, of the running ones, or none", () => {
    const o = [obs("a", null, 1, false), obs("b", null, 1, false), obs("c", 1, 1, true)];
    expect(quorumBase("majority_of_all", o)).toBe(3);
    expect(quorumBase("majority_of_running", o)).toBe(1);
    expect(quorumBase("none", o)).toBeNull();
    // a lone instance with one server left leads under majority_of_running, never under _of_all
    expect(1 >= majorityOf(quorumBase("majority_of_running", o) ?? 0)).toBe(true);
    expect(1 >= majorityOf(quorumBase("majority_of_all", o) ?? 0)).toBe(false);
  });

  it("model: instances that reach the same servers never lead together, whatever dies and returns", () => {
    const mode: CooperativeMode = "majority_of_running";
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 1 }),
            r: fc.double({ min: 0, max: 0.999, noNaN: true }),
            running: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          }),
          { maxLength: 80 },
        ),
        (steps) => {
          const names = ["s0", "s1", "s2"];
          const owner: (number | null)[] = [null, null, null];
          const cooldown = [0, 0];
          let running = [true, true, true];
          const observe = (who: number) =>
            names.map((s, k) => obs(s, owner[k] ?? null, who, running[k] ?? false));
          const leads = (who: number) => {
            const o = observe(who);
            const held = o.filter((x) => x.reachable && x.owner === who).length;
            return held > 0 && held >= majorityOf(quorumBase(mode, o) ?? 0);
          };
          for (const s of steps) {
            // a dead server's locks die with its connections
            running = s.running;
            for (const [k, alive] of running.entries()) if (!alive) owner[k] = null;
            const o = observe(s.who);
            const d = decideLocks(o, quorumBase(mode, o) ?? 0, cooldown[s.who] ?? 0, s.r);
            cooldown[s.who] = d.cooldownChecks;
            for (const n of d.release) owner[names.indexOf(n)] = null;
            for (const n of d.acquire) if (owner[names.indexOf(n)] === null) owner[names.indexOf(n)] = s.who;
            expect(leads(0) && leads(1)).toBe(false);
          }
        },
      ),
    );
  });
});
