import { EventEmitter } from "node:events";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LoginRateLimiter } from "../../src/session/login-rate-limit.js";
import { UserConnections } from "../../src/session/user-connections.js";

describe("LoginRateLimiter", () => {
  const opts = { maxFailures: 3, windowMs: 1000, blockMs: 5000 };

  it("blocks an address at the Nth failure inside the window, for blockMs, and only that address", () => {
    const l = new LoginRateLimiter(opts);
    expect(l.recordFailure("a", 0).kind).toBe("open");
    expect(l.recordFailure("a", 100).kind).toBe("open");
    expect(l.recordFailure("a", 200)).toEqual({ kind: "blocked", failures: 3, retryAfterMs: 5000 });
    expect(l.check("b", 300).kind).toBe("open");
    expect(l.check("a", 5199).kind).toBe("blocked");
    expect(l.check("a", 5200).kind).toBe("open");
  });

  it("forgets failures older than the window", () => {
    const l = new LoginRateLimiter(opts);
    l.recordFailure("a", 0);
    l.recordFailure("a", 500);
    expect(l.recordFailure("a", 1200).kind).toBe("open"); // the failure at 0 left the window
    expect(l.recordFailure("a", 1300).kind).toBe("blocked");
  });

  it("never remembers more than maxTrackedHosts addresses", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (hosts, max) => {
        const l = new LoginRateLimiter({ ...opts, maxTrackedHosts: max });
        for (const [i, h] of hosts.entries()) l.recordFailure(h, i);
        return l.trackedHosts <= max;
      }),
    );
  });
});

describe("UserConnections", () => {
  it("counts a handle until it closes, refuses above the limit, and moves on change-user", () => {
    const u = new UserConnections();
    const [a, b, c] = [new EventEmitter(), new EventEmitter(), new EventEmitter()];
    expect(u.claim(a, "app", 2)).toBe(true);
    expect(u.claim(b, "app", 2)).toBe(true);
    expect(u.claim(c, "app", 2)).toBe(false);
    expect(u.claim(c, "other", undefined)).toBe(true);
    expect(u.claim(c, "app", 2)).toBe(false); // still counted for "other"
    expect(u.count("other")).toBe(1);
    a.emit("close");
    expect(u.count("app")).toBe(1);
    expect(u.claim(c, "app", 2)).toBe(true);
    expect([u.count("app"), u.count("other")]).toEqual([2, 0]);
    b.emit("close");
    c.emit("close");
    c.emit("close");
    expect(u.count("app")).toBe(0);
  });
});
