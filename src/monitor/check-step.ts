/**
 * One check, as a pure function: previous monitor state + this check's probes → new state,
 * the events it caused, and the view planners use. The Monitor class only does the I/O around it.
 */
import type { HealthThresholds } from "./config.js";
import { type DeadBounds, nextDeadBounds, noDeadBounds } from "./dead-bounds.js";
import { gtidOrEmpty } from "./gtid.js";
import { type LagHistory, pruneHistory, recordPrimaryPosition, replicaLagSeconds } from "./lag.js";
import type { PlanView } from "./plan-view.js";
import { deriveRoles, type PreviousRoles, type RoleView } from "./topology.js";
import { type CheckOutcome, initialHealth, nextHealth } from "./transitions.js";
import type { MonitorEvent, MonitoredServer, ProbeResult, ServerHealth } from "./types.js";

export interface CheckState {
  readonly roles: PreviousRoles | null;
  readonly health: ReadonlyMap<string, ServerHealth>;
  readonly lagHistory: LagHistory;
  /** what servers seen dying can hold at most (dead-bounds.ts); none known when absent */
  readonly deadBounds?: DeadBounds;
}

export interface CheckStep {
  readonly state: CheckState;
  readonly roles: RoleView;
  readonly lags: ReadonlyMap<string, number | null>;
  readonly events: readonly MonitorEvent[];
  readonly view: PlanView;
}

export function checkStep(
  servers: readonly MonitoredServer[],
  thresholds: HealthThresholds,
  prev: CheckState,
  probes: ReadonlyMap<string, ProbeResult>,
  now: number,
): CheckStep {
  const roles = deriveRoles(servers, probes, prev.roles);
  const primaryProbe = roles.primary === null ? undefined : probes.get(roles.primary);
  let history = recordPrimaryPosition(
    prev.lagHistory,
    roles.primary,
    primaryProbe?.kind === "reachable" ? primaryProbe : null,
    now,
  );

  const lags = new Map<string, number | null>();
  const health = new Map<string, ServerHealth>();
  const events: MonitorEvent[] = [];
  if (roles.primary !== null && roles.primary !== prev.roles?.primary) {
    events.push({ kind: "new_primary", server: roles.primary, previous: prev.roles?.primary ?? null });
  }
  const replicaPositions = [];
  for (const s of servers) {
    const p = probes.get(s.name);
    let outcome: CheckOutcome;
    if (p === undefined) {
      outcome = { kind: "unreachable", error: "not probed", definite: false };
    } else if (p.kind === "unreachable") {
      outcome = { kind: "unreachable", error: p.error, definite: p.definite };
    } else if (s.name === roles.primary) {
      outcome = { kind: "reachable", lagSeconds: null };
    } else {
      const lag = replicaLagSeconds(history, p, now);
      lags.set(s.name, lag);
      replicaPositions.push(gtidOrEmpty(p.gtidCurrentPos));
      outcome = { kind: "reachable", lagSeconds: lag };
    }
    const t = nextHealth(s.name, prev.health.get(s.name) ?? initialHealth, outcome, thresholds);
    health.set(s.name, t.next);
    events.push(...t.events);
  }
  history = pruneHistory(history, replicaPositions);
  const deadBounds = nextDeadBounds(prev.deadBounds ?? noDeadBounds, {
    servers,
    probes,
    primary: roles.primary,
  });
  const state: CheckState = {
    roles: { primary: roles.primary, roles: roles.roles },
    health,
    lagHistory: history,
    deadBounds,
  };
  return {
    state,
    roles,
    lags,
    events,
    view: {
      servers,
      probes,
      health,
      roles: roles.roles,
      primary: roles.primary,
      deadBounds: deadBounds.bounds,
    },
  };
}
