import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideLocks, heldServers, type LockObservation, majorityOf } from "../../src/monitor/lock-plan.js";

const obs = (server: string, owner: number | null, ours = 1, reachable = true): LockObservation => ({
  server,
  reachable,
  owner,
  ours,
});

describe("cooperative lock decisions", () => {
  it("majority of all configured servers", () => {
    expect([1, 2, 3, 4, 5].map(majorityOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it("takes free locks when a majority is within reach", () => {
    expect(decideLocks([obs("a", null), obs("b", null), obs("c", 9)], 3, 0, 0)).toEqual({
      acquire: ["a", "b"],
      release: [],
      cooldownChecks: 0,
    });
  });

  it("gives up a minority it cannot grow, and stays away a random while", () => {
    const d = decideLocks([obs("a", 1), obs("b", 9), obs("c", null, 1, false)], 3, 0, 0.99);
    expect(d).toEqual({ acquire: [], release: ["a"], cooldownChecks: 3 });
    expect(decideLocks([obs("a", null), obs("b", null), obs("c", null)], 3, 2, 0)).toEqual({
      acquire: [],
      release: [],
      cooldownChecks: 1,
    });
  });

  it("a leader keeps its locks and picks up freed ones", () => {
    expect(decideLocks([obs("a", 1), obs("b", 1), obs("c", null)], 3, 0, 0)).toEqual({
      acquire: ["c"],
      release: [],
      cooldownChecks: 0,
    });
  });

  it("model: several instances on shared servers are never leaders together, and one emerges", () => {
    const n = 3;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 2 }),
            r: fc.double({ min: 0, max: 0.999, noNaN: true }),
            reach: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          }),
          {
            maxLength: 60,
          },
        ),
        (steps) => {
          const owner: (number | null)[] = [null, null, null];
          const cooldown = [0, 0, 0];
          const servers = ["s0", "s1", "s2"];
          const leaders = () => [0, 1, 2].filter((i) => owner.filter((o) => o === i).length >= majorityOf(n));
          const act = (who: number, r: number, reach: readonly boolean[]) => {
            const o = servers.map((s, k) => obs(s, owner[k] ?? null, who, reach[k] ?? true));
            const d = decideLocks(o, n, cooldown[who] ?? 0, r);
            cooldown[who] = d.cooldownChecks;
            for (const s of d.release) owner[servers.indexOf(s)] = null;
            for (const s of d.acquire)
              if (owner[servers.indexOf(s)] === null) owner[servers.indexOf(s)] = who;
          };
          for (const s of steps) {
            act(s.who, s.r, s.reach);
            expect(leaders().length).toBeLessThanOrEqual(1);
          }
          // then everything reachable, instances taking turns: someone leads within a few rounds
          for (let round = 0; round < 8 && leaders().length === 0; round++)
            for (const who of [0, 1, 2]) act(who, 0.5, [true, true, true]);
          expect(leaders()).toHaveLength(1);
          expect(
            heldServers(servers.map((s, k) => obs(s, owner[k] ?? null, leaders()[0] ?? -1))).length,
          ).toBeGreaterThanOrEqual(2);
        },
      ),
    );
  });
});
