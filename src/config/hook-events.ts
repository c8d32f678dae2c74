import type { MonitorEventKind } from "../monitor/types.js";

/** Monitor events a hook can run on; kept equal to the monitor's event kinds by the types below. */
export const hookEvents = [
  "server_down",
  "server_up",
  "lag_over",
  "lag_under",
  "state_changed",
  "new_primary",
  "failover",
  "failover_failed",
  "switchover",
  "switchover_failed",
  "fenced",
  "rejoined",
  "rejoin_refused",
  "leader_acquired",
  "leader_lost",
] as const satisfies readonly MonitorEventKind[];

export type HookEvent = (typeof hookEvents)[number];

// Fails to compile when the monitor grows an event this list lacks.
type Missing = Exclude<MonitorEventKind, (typeof hookEvents)[number]>;
export const hookEventsComplete: [Missing] extends [never] ? true : Missing = true;
