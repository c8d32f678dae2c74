/**
 * What a dead server can hold at most (pure). A failover must not promote a replica that lacks
 * transactions another replica received (with semi-sync, an acknowledged commit may live on one
 * replica only). A reachable replica shows its position; a dead one cannot, and its last probe
 * is only a lower bound. An upper bound exists once it is provably dead while the primary runs:
 * its connection was refused (nothing listens, so it receives nothing more) at one check, and at
 * a later check, whose probes started after that refusal, the primary answered with its
 * position. The dead server cannot have more than that position (a replica only receives what
 * the primary logged), unless it had transactions of its own: so the bound also has to cover
 * the last position the server was seen with, else there is none. A candidate that received the
 * bound holds everything the dead server had.
 */
import { formatGtidPosition, type GtidPosition, gtidOrEmpty, gtidReaches } from "./gtid.js";
import { executedPosition, type PlanView } from "./plan-view.js";

export interface DeadBounds {
  /** server → the GTID position it cannot exceed (it died before the primary reached it) */
  readonly bounds: ReadonlyMap<string, string>;
  /** servers whose connection was refused at the last check */
  readonly refused: ReadonlySet<string>;
  /** every server's executed position when it last answered */
  readonly lastSeen: ReadonlyMap<string, string>;
}

export const noDeadBounds: DeadBounds = { bounds: new Map(), refused: new Set(), lastSeen: new Map() };

export function nextDeadBounds(
  previous: DeadBounds,
  view: Pick<PlanView, "servers" | "probes" | "primary">,
): DeadBounds {
  const primaryProbe = view.primary === null ? undefined : view.probes.get(view.primary);
  const bounds = new Map<string, string>();
  const refused = new Set<string>();
  const lastSeen = new Map(previous.lastSeen);
  for (const s of view.servers) {
    const p = view.probes.get(s.name);
    if (p?.kind === "reachable") lastSeen.set(s.name, formatGtidPosition(executedPosition(p)));
    if (p?.kind === "unreachable" && p.definite) refused.add(s.name);
    if (s.name === view.primary || p?.kind === "reachable") continue; // alive: its probe says
    const kept = previous.bounds.get(s.name);
    if (kept !== undefined) bounds.set(s.name, kept);
    else if (previous.refused.has(s.name) && primaryProbe?.kind === "reachable") {
      // refused at the last check, so dead before this check's primary probe started
      const bound = executedPosition(primaryProbe);
      if (covers(bound, lastSeen.get(s.name))) bounds.set(s.name, formatGtidPosition(bound));
    }
  }
  return { bounds, refused, lastSeen };
}

/** the bound includes what the server was last seen with (no transactions of its own) */
function covers(bound: GtidPosition, seen: string | undefined): boolean {
  return seen === undefined || gtidReaches(bound, gtidOrEmpty(seen));
}
