import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HealthThresholds } from "../../src/monitor/config.js";
import {
  type CheckOutcome,
  initialHealth,
  nextHealth,
  setAdmin,
  stateOf,
} from "../../src/monitor/transitions.js";
import type { MonitorEvent, ServerHealth } from "../../src/monitor/types.js";

const t: HealthThresholds = { downAfter: 2, graceChecks: 3, maxLagSeconds: 10, lagRecoverSeconds: 5 };
const ok = (lagSeconds: number | null = 0): CheckOutcome => ({ kind: "reachable", lagSeconds });
const timeout: CheckOutcome = { kind: "unreachable", error: "timed out", definite: false };
const refused: CheckOutcome = { kind: "unreachable", error: "ECONNREFUSED", definite: true };

function run(outcomes: readonly CheckOutcome[], start: ServerHealth = initialHealth, th = t) {
  let h = start;
  const states: string[] = [];
  const events: MonitorEvent[] = [];
  for (const o of outcomes) {
    const r = nextHealth("s", h, o, th);
    h = r.next;
    states.push(stateOf(h));
    events.push(...r.events);
  }
  return { h, states, events };
}

describe("server state transitions", () => {
  it("sets the first state directly", () => {
    expect(run([ok()]).states).toEqual(["up"]);
    expect(run([timeout]).states).toEqual(["down"]);
    expect(run([ok(11)]).states).toEqual(["lagging"]);
  });

  it("goes down after downAfter consecutive timeouts, at once when refused", () => {
    expect(run([ok(), timeout, ok(), timeout, ok()]).states).toEqual(["up", "up", "up", "up", "up"]);
    expect(run([ok(), timeout, timeout]).states).toEqual(["up", "up", "down"]);
    const r = run([ok(), refused]);
    expect(r.states).toEqual(["up", "down"]);
    expect(r.events).toContainEqual({ kind: "server_down", server: "s", reason: "ECONNREFUSED" });
    expect(r.events).toContainEqual({ kind: "state_changed", server: "s", from: "up", to: "down" });
  });

  it("re-enters only after graceChecks consecutive good checks", () => {
    const r = run([ok(), refused, ok(), ok(), refused, ok(), ok(), ok()]);
    expect(r.states).toEqual(["up", "down", "down", "down", "down", "down", "down", "up"]);
    expect(r.events.filter((e) => e.kind === "server_up")).toHaveLength(2); // first check + return
  });

  it("lags over maxLag, comes back only under lagRecover for graceChecks checks", () => {
    const r = run([ok(1), ok(11), ok(7), ok(4), ok(4), ok(6), ok(4), ok(4), ok(4)]);
    expect(r.states).toEqual([
      "up",
      "lagging",
      "lagging",
      "lagging",
      "lagging",
      "lagging",
      "lagging",
      "lagging",
      "up",
    ]);
    expect(r.events.filter((e) => e.kind === "lag_over")).toEqual([
      { kind: "lag_over", server: "s", lagSeconds: 11 },
    ]);
    expect(r.events.filter((e) => e.kind === "lag_under")).toEqual([
      { kind: "lag_under", server: "s", lagSeconds: 4 },
    ]);
  });

  it("unknown lag (null) never makes a server lagging", () => {
    expect(run([ok(null), ok(null)]).states).toEqual(["up", "up"]);
  });

  it("admin states win over health and are kept by checks", () => {
    const { h } = run([ok()]);
    const m = setAdmin("s", h, "maintenance");
    expect(m.events).toEqual([{ kind: "state_changed", server: "s", from: "up", to: "maintenance" }]);
    const after = run([refused, ok()], m.next);
    expect(after.states).toEqual(["maintenance", "maintenance"]);
    expect(after.h.health).toBe("down");
    expect(stateOf(setAdmin("s", after.h, "online").next)).toBe("down");
  });

  const outcome = fc.oneof(
    fc.constant(timeout),
    fc.constant(refused),
    fc.double({ min: 0, max: 30, noNaN: true }).map((lag) => ok(lag)),
    fc.constant(ok(null)),
  );

  it("property: a server failing more often than the grace period never re-enters rotation", () => {
    // After it is down, every run of good checks is shorter than graceChecks.
    const bad = fc.constantFrom(timeout, refused);
    const goodRun = fc.array(
      fc.double({ min: 0, max: 30, noNaN: true }).map((l) => ok(l)),
      { maxLength: t.graceChecks - 1 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(goodRun, bad), { maxLength: 30 }), (cycles) => {
        const start = run([ok(), refused]).h;
        const seq = cycles.flatMap(([good, b]) => [...good, b]);
        const r = run(seq, start);
        expect(r.states.every((s) => s === "down")).toBe(true);
        expect(r.events.some((e) => e.kind === "server_up")).toBe(false);
      }),
    );
  });

  it("property: an up server never goes down without downAfter consecutive failures or a refusal", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(timeout), fc.constant(ok())), { maxLength: 40 }), (seq) => {
        const r = run([ok(), ...seq]);
        let streak = 0;
        let mayBeDown = false;
        for (const [i, o] of seq.entries()) {
          streak = o.kind === "unreachable" ? streak + 1 : 0;
          if (streak >= t.downAfter) mayBeDown = true;
          if (!mayBeDown) expect(r.states[i + 1]).toBe("up");
        }
      }),
    );
  });

  it("property: every state change is reported once, with the right from/to", () => {
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 40 }), (seq) => {
        const r = run(seq);
        const changes = r.events.filter((e) => e.kind === "state_changed");
        let expected = 0;
        for (let i = 1; i < r.states.length; i++) if (r.states[i] !== r.states[i - 1]) expected++;
        expect(changes).toHaveLength(expected);
      }),
    );
  });

  it("property: lag oscillating between lagRecover and maxLag causes no transition", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: t.lagRecoverSeconds + 0.001, max: t.maxLagSeconds, noNaN: true }), {
          maxLength: 40,
        }),
        fc.boolean(),
        (lags, startLagging) => {
          const start = run([ok(startLagging ? 20 : 0)]).h;
          const r = run(
            lags.map((l) => ok(l)),
            start,
          );
          expect(r.events.filter((e) => e.kind === "state_changed")).toEqual([]);
        },
      ),
    );
  });
});
