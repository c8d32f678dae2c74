import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActiveOperations } from "../../src/routing/active-operations.js";
import { type Candidate, pickServer } from "../../src/routing/balance.js";

const candidate = fc.record({
  name: fc.constantFrom("r1", "r2", "r3", "r4"),
  weight: fc.integer({ min: 1, max: 5 }),
  active: fc.nat(20),
  connections: fc.nat(50),
});
const candidates = fc.uniqueArray(candidate, { minLength: 1, maxLength: 4, selector: (c) => c.name });

describe("pickServer", () => {
  it("returns nothing when no server is available", () => {
    expect(pickServer("least-active", [], { next: 0 })).toBeUndefined();
  });

  it("least-active picks a server with the fewest operations per unit of weight", () => {
    fc.assert(
      fc.property(candidates, (cs) => {
        const chosen = pickServer("least-active", cs, { next: 0 });
        const best = Math.min(...cs.map((c) => c.active / c.weight));
        expect(chosen!.active / chosen!.weight).toBe(best);
      }),
    );
  });

  it("least-connections picks a server with the fewest connections per unit of weight", () => {
    fc.assert(
      fc.property(candidates, (cs) => {
        const chosen = pickServer("least-connections", cs, { next: 0 });
        expect(chosen!.connections / chosen!.weight).toBe(
          Math.min(...cs.map((c) => c.connections / c.weight)),
        );
      }),
    );
  });

  it("round-robin visits every server once per cycle", () => {
    fc.assert(
      fc.property(candidates, fc.nat(100), (cs, start) => {
        const cursor = { next: start };
        const seen = cs.map(() => pickServer("round-robin", cs, cursor)!.name);
        expect(new Set(seen).size).toBe(cs.length);
      }),
    );
  });

  it("weighted spreads picks in proportion to the weights", () => {
    const cs: Candidate[] = [
      { name: "a", weight: 1, active: 0, connections: 0 },
      { name: "b", weight: 3, active: 0, connections: 0 },
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++)
      counts[pickServer("weighted", cs, { next: 0 }, random)!.name as "a" | "b"]++;
    expect(counts.b / counts.a).toBeGreaterThan(2.5);
    expect(counts.b / counts.a).toBeLessThan(3.5);
  });
});

describe("ActiveOperations", () => {
  it("returns to zero after any interleaving of begins and (repeated) ends", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.record({ begin: fc.constantFrom("p", "r1", "r2") }), fc.record({ end: fc.nat(30) })),
          {
            maxLength: 60,
          },
        ),
        (steps) => {
          const ops = new ActiveOperations();
          const tokens: ReturnType<ActiveOperations["begin"]>[] = [];
          for (const step of steps) {
            if ("begin" in step) tokens.push(ops.begin(step.begin));
            else tokens[step.end % Math.max(tokens.length, 1)]?.end();
            expect(ops.total()).toBeGreaterThanOrEqual(0);
          }
          for (const token of tokens) {
            token.end();
            token.end();
          }
          expect(ops.total()).toBe(0);
          expect(ops.get("p")).toBe(0);
        },
      ),
    );
  });

  it("counts operations per server", () => {
    const ops = new ActiveOperations();
    const a = ops.begin("r1");
    ops.begin("r1");
    ops.begin("r2");
    expect([ops.get("r1"), ops.get("r2"), ops.total()]).toEqual([2, 1, 3]);
    a.end();
    a.end();
    expect(ops.get("r1")).toBe(1);
  });
});
