/** Counts of what the monitor saw and did, as plain data (exported by admin/metrics). */
import type { MonitorEvent, MonitorEventKind } from "./types.js";

export interface MonitorCounters {
  checks: number;
  probeFailures: number;
  lastCheckMs: number;
  /** state transitions by "from->to" (e.g. "up->down") */
  transitions: Record<string, number>;
  /** state transitions per server */
  serverTransitions: Record<string, number>;
  events: Partial<Record<MonitorEventKind, number>>;
  hookRuns: number;
  hookFailures: number;
}

export function createCounters(): MonitorCounters {
  return {
    checks: 0,
    probeFailures: 0,
    lastCheckMs: 0,
    transitions: {},
    serverTransitions: {},
    events: {},
    hookRuns: 0,
    hookFailures: 0,
  };
}

export function recordEvents(c: MonitorCounters, events: readonly MonitorEvent[]): void {
  for (const e of events) {
    c.events[e.kind] = (c.events[e.kind] ?? 0) + 1;
    if (e.kind === "state_changed") {
      const key = `${e.from}->${e.to}`;
      c.transitions[key] = (c.transitions[key] ?? 0) + 1;
      c.serverTransitions[e.server] = (c.serverTransitions[e.server] ?? 0) + 1;
    }
  }
}
