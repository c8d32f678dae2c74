import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareGtid,
  formatGtidPosition,
  type GtidPosition,
  gtidReaches,
  mergeGtid,
  parseGtidPosition,
} from "../../src/monitor/gtid.js";

function parse(text: string): GtidPosition {
  const r = parseGtidPosition(text);
  if (r.kind !== "ok") throw new Error(r.message);
  return r.position;
}

const position = fc
  .uniqueArray(
    fc.record({
      domain: fc.integer({ min: 0, max: 3 }),
      serverId: fc.integer({ min: 1, max: 3 }),
      seqno: fc.bigInt({ min: 0n, max: 50n }),
    }),
    { selector: (e) => e.domain, maxLength: 4 },
  )
  .map((es) => [...es].sort((a, b) => a.domain - b.domain));

describe("GTID positions", () => {
  it("parses MariaDB lists, one entry per domain, sorted", () => {
    expect(parse("1-2-30, 0-1-100")).toEqual([
      { domain: 0, serverId: 1, seqno: 100n },
      { domain: 1, serverId: 2, seqno: 30n },
    ]);
    expect(parse("")).toEqual([]);
    expect(formatGtidPosition(parse("0-1-18446744073709551615"))).toBe("0-1-18446744073709551615");
  });

  it("rejects what is not a GTID, saying what it expected", () => {
    const r = parseGtidPosition("0-1-5,banana");
    expect(r).toEqual({ kind: "error", message: '"banana" is not a GTID (expected domain-server-seqno)' });
  });

  it("compares per domain, including diverged positions", () => {
    expect(compareGtid(parse("0-1-10"), parse("0-1-9"))).toBe("ahead");
    expect(compareGtid(parse("0-1-9"), parse("0-2-10"))).toBe("behind");
    expect(compareGtid(parse("0-1-10,1-1-5"), parse("0-1-10,1-1-5"))).toBe("equal");
    expect(compareGtid(parse("0-1-10,1-1-4"), parse("0-1-9,1-1-5"))).toBe("diverged");
    // a domain one side lacks counts as seqno 0 there
    expect(compareGtid(parse("0-1-10"), parse("0-1-10,1-1-1"))).toBe("behind");
  });

  it("format ∘ parse is the identity on positions", () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(parse(formatGtidPosition(p))).toEqual(p);
      }),
    );
  });

  it("compare is antisymmetric and merge is the least upper bound", () => {
    const flip = { ahead: "behind", behind: "ahead", equal: "equal", diverged: "diverged" } as const;
    fc.assert(
      fc.property(position, position, (a, b) => {
        expect(compareGtid(b, a)).toBe(flip[compareGtid(a, b)]);
        const m = mergeGtid(a, b);
        expect(gtidReaches(m, a) && gtidReaches(m, b)).toBe(true);
        // nothing smaller than the merge reaches both: every merged entry comes from a or b
        for (const e of m)
          expect([...a, ...b].some((x) => x.domain === e.domain && x.seqno === e.seqno)).toBe(true);
      }),
    );
  });
});
