import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { CASES } from "./statement-table.js";

describe("statement table", () => {
  it("holds at least 400 statements", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(400);
  });

  it.each(CASES.map((c) => [c.sql, c] as const))("%s", (_sql, c) => {
    const facts = classify(c.sql, c.context);
    expect(facts).toMatchObject(c.expect);
    // invariants every statement keeps
    if (facts.parse === "unknown") expect(facts.writes).toBe(true);
    for (const w of facts.writeTables) expect(facts.tables).toContainEqual(w);
    expect(facts.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
