import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gtidCovers } from "../../src/cluster/cluster-control.js";

describe("gtidCovers", () => {
  it("compares per replication domain", () => {
    expect(gtidCovers("0-1-10", "0-1-9")).toBe(true);
    expect(gtidCovers("0-1-9", "0-1-10")).toBe(false);
    expect(gtidCovers("0-1-10,1-2-3", "1-2-4")).toBe(false);
    expect(gtidCovers("0-1-10", "")).toBe(true);
    expect(gtidCovers("", "0-1-1")).toBe(false);
  });

  it("is reflexive and monotone in the sequence number", () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(1_000_000), fc.nat(1_000), (domain, seq, more) => {
        const at = `${domain}-1-${seq}`;
        expect(gtidCovers(at, at)).toBe(true);
        expect(gtidCovers(`${domain}-1-${seq + more}`, at)).toBe(true);
        expect(gtidCovers(at, `${domain}-1-${seq + more + 1}`)).toBe(false);
      }),
    );
  });
});
