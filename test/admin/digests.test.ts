import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DigestObservation, DigestTable } from "../../src/admin/digests.js";

const obs = (
  fingerprint: string,
  latencyMs: number,
  at: number,
  extra: Partial<DigestObservation> = {},
): DigestObservation => ({
  fingerprint,
  digest: `SELECT ${fingerprint} FROM t WHERE id = ?`,
  latencyMs,
  rows: 1,
  error: false,
  pool: "reads",
  at,
  ...extra,
});

/** Exact nearest-rank quantile, the reference for the histogram's estimate. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

describe("DigestTable", () => {
  it("accumulates count, latency, rows, errors, first/last seen and pools per digest", () => {
    const t = new DigestTable(10);
    t.record(obs("a", 2, 1000, { rows: 5 }));
    t.record(obs("a", 4, 1010, { rows: 0, error: true, pool: "writes" }));
    t.record(obs("a", 9, 1005, { rows: 3 }));
    t.record(obs("b", 1, 2000));
    const a = t.get("a");
    expect(a).toMatchObject({
      count: 3,
      totalMs: 15,
      minMs: 2,
      maxMs: 9,
      avgMs: 5,
      p99Ms: 9,
      rows: 8,
      errors: 1,
      firstSeen: 1000,
      lastSeen: 1010,
      pools: ["reads", "writes"],
    });
    expect(t.get("b")?.count).toBe(1);
  });

  it("evicts the least recently seen digest beyond maxEntries", () => {
    const t = new DigestTable(2);
    t.record(obs("a", 1, 1));
    t.record(obs("b", 1, 2));
    t.record(obs("a", 1, 3)); // a is now more recent than b
    t.record(obs("c", 1, 4));
    expect(t.all().map((s) => s.fingerprint)).toEqual(["c", "a"]);
    expect(t.evicted).toBe(1);
    expect(t.size).toBe(2);
  });

  it("orders top() by any column in either direction, ties by fingerprint", () => {
    const t = new DigestTable(10);
    for (const [fp, n, ms] of [
      ["x", 3, 1],
      ["y", 1, 50],
      ["z", 3, 2],
    ] as const) {
      for (let i = 0; i < n; i++) t.record(obs(fp, ms, i));
    }
    expect(t.top("count", 10).map((s) => s.fingerprint)).toEqual(["x", "z", "y"]);
    expect(t.top("total_ms", 2).map((s) => s.fingerprint)).toEqual(["y", "z"]);
    expect(t.top("max_ms", 10, "asc").map((s) => s.fingerprint)).toEqual(["x", "z", "y"]);
    expect(t.top("digest", 1, "asc").map((s) => s.fingerprint)).toEqual(["x"]);
    expect(t.top("count", 0)).toEqual([]);
  });

  it("estimates p99 within 5% of the exact nearest-rank value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (latencies) => {
          const t = new DigestTable(1);
          latencies.forEach((ms, i) => {
            t.record(obs("d", ms, i));
          });
          const exact = nearestRank(latencies, 0.99);
          const estimate = t.get("d")?.p99Ms ?? Number.NaN;
          expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.05);
        },
      ),
    );
  });

  it("merging workers' exports equals recording every observation in one table", () => {
    const observation = fc.record({
      fp: fc.constantFrom("a", "b", "c", "d"),
      ms: fc.integer({ min: 1, max: 5000 }),
      at: fc.integer({ min: 0, max: 1000 }),
      error: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(observation), fc.array(observation), (w1, w2) => {
        const [one, two, all] = [new DigestTable(10), new DigestTable(10), new DigestTable(10)];
        for (const o of w1) one.record(obs(o.fp, o.ms, o.at, { error: o.error }));
        for (const o of w2) two.record(obs(o.fp, o.ms, o.at, { error: o.error }));
        for (const o of [...w1, ...w2]) all.record(obs(o.fp, o.ms, o.at, { error: o.error }));
        const merged = new DigestTable(10);
        merged.absorb(one.exportEntries());
        merged.absorb(two.exportEntries());
        const byFp = (t: DigestTable) => t.all().sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1));
        expect(byFp(merged)).toEqual(byFp(all));
      }),
    );
  });
});
