import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";

describe("Secret", () => {
  const s = new Secret("hunter2", "env PW");

  it("prints [redacted] through every path to a log line", () => {
    expect(String(s)).toBe("[redacted]");
    expect(`${s}`).toBe("[redacted]");
    expect(JSON.stringify({ password: s })).toBe('{"password":"[redacted]"}');
    expect(inspect({ password: s })).toBe("{ password: [redacted] }");
  });

  it("gives the value only through reveal()", () => {
    expect(s.reveal()).toBe("hunter2");
    expect(s.origin).toBe("env PW");
  });

  it("compares values without revealing them", () => {
    expect(s.equals(new Secret("hunter2", "file x"))).toBe(true);
    expect(s.equals(new Secret("hunter3", "file x"))).toBe(false);
    expect(s.equals(new Secret("hunter", "file x"))).toBe(false);
  });
});
