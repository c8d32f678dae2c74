/**
 * Per-server state machine with hysteresis (pure).
 *
 * - up → down after `downAfter` consecutive failed checks (one slow answer is not an outage), or
 *   at once when the connection is refused (nothing listens: that is not a slow answer);
 * - down → up only after `graceChecks` consecutive good checks (a server that keeps failing more
 *   often than that never re-enters rotation: no flapping);
 * - up → lagging as soon as lag exceeds `maxLagSeconds`; lagging → up only after `graceChecks`
 *   consecutive checks at or under the lower `lagRecoverSeconds`.
 * The first check of a server sets its state directly (there is no history to smooth).
 * Admin states (maintenance, draining) are kept apart and win over health in `stateOf`.
 */
import type { HealthThresholds } from "./config.js";
import type { AdminState, MonitorEvent, ServerHealth, ServerState } from "./types.js";

export type CheckOutcome =
  | { readonly kind: "reachable"; readonly lagSeconds: number | null }
  | {
      readonly kind: "unreachable";
      readonly error: string;
      /** nothing listens (connection refused): down at once, no debounce needed */
      readonly definite: boolean;
    };

export const initialHealth: ServerHealth = {
  health: "down",
  admin: "online",
  failures: 0,
  goodStreak: 0,
  checks: 0,
  lastError: null,
};

export function stateOf(h: ServerHealth): ServerState {
  return h.admin === "online" ? h.health : h.admin;
}

function over(lag: number | null, limit: number): boolean {
  return lag !== null && lag > limit;
}

export interface Transition {
  readonly next: ServerHealth;
  readonly events: readonly MonitorEvent[];
}

export function nextHealth(
  server: string,
  prev: ServerHealth,
  outcome: CheckOutcome,
  t: HealthThresholds,
): Transition {
  const checks = prev.checks + 1;
  const events: MonitorEvent[] = [];
  let next: ServerHealth;

  if (outcome.kind === "unreachable") {
    const failures = prev.failures + 1;
    const goesDown = prev.health !== "down" && (failures >= t.downAfter || outcome.definite);
    const health = goesDown || prev.checks === 0 ? "down" : prev.health;
    next = { ...prev, checks, failures, goodStreak: 0, lastError: outcome.error, health };
    if (goesDown || prev.checks === 0) {
      events.push({ kind: "server_down", server, reason: outcome.error });
    }
  } else {
    const lag = outcome.lagSeconds;
    const base = { ...prev, checks, failures: 0, lastError: null };
    if (prev.checks === 0) {
      const lagging = over(lag, t.maxLagSeconds);
      next = { ...base, goodStreak: 0, health: lagging ? "lagging" : "up" };
      events.push(
        lagging ? { kind: "lag_over", server, lagSeconds: lag ?? 0 } : { kind: "server_up", server },
      );
    } else if (prev.health === "down") {
      const goodStreak = prev.goodStreak + 1;
      if (goodStreak < t.graceChecks) {
        next = { ...base, goodStreak };
      } else {
        const lagging = over(lag, t.maxLagSeconds);
        next = { ...base, goodStreak: 0, health: lagging ? "lagging" : "up" };
        events.push({ kind: "server_up", server });
        if (lagging) events.push({ kind: "lag_over", server, lagSeconds: lag ?? 0 });
      }
    } else if (prev.health === "up") {
      if (over(lag, t.maxLagSeconds)) {
        next = { ...base, goodStreak: 0, health: "lagging" };
        events.push({ kind: "lag_over", server, lagSeconds: lag ?? 0 });
      } else {
        next = { ...base, goodStreak: 0 };
      }
    } else {
      // lagging: come back only after a run of checks under the lower threshold
      const low = !over(lag, t.lagRecoverSeconds);
      const goodStreak = low ? prev.goodStreak + 1 : 0;
      if (goodStreak >= t.graceChecks) {
        next = { ...base, goodStreak: 0, health: "up" };
        events.push({ kind: "lag_under", server, lagSeconds: lag ?? 0 });
      } else {
        next = { ...base, goodStreak };
      }
    }
  }
  const from = stateOf(prev);
  const to = stateOf(next);
  if (prev.checks > 0 && from !== to) events.push({ kind: "state_changed", server, from, to });
  return { next, events };
}

/** An operator's maintenance/drain/online request. */
export function setAdmin(server: string, prev: ServerHealth, admin: AdminState): Transition {
  const next = { ...prev, admin };
  const from = stateOf(prev);
  const to = stateOf(next);
  return { next, events: from === to ? [] : [{ kind: "state_changed", server, from, to }] };
}
