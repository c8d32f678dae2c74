/**
 * Keeping one writable primary (pure): which servers to fence, rejoin or repoint this check.
 *
 * - a server writable next to the primary is fenced with read_only=1 first, unconditionally:
 *   two writable primaries is the one state that loses data;
 * - a server that replicates from nobody (a returning old primary, a stranded replica) rejoins
 *   the primary only if everything it has is also on the primary — otherwise it holds
 *   transactions the primary never saw, and replicating on top of them would silently diverge;
 * - a replica still pointed at a dead or fenced server is repointed at the primary.
 * Servers in maintenance are left alone.
 */
import { type GtidPosition, gtidReaches } from "./gtid.js";
import { executedPosition, inMaintenance, type PlanView, reachableProbe } from "./plan-view.js";

export type RepairAction =
  | { readonly kind: "set_read_only"; readonly server: string }
  | { readonly kind: "rejoin"; readonly server: string; readonly primary: string; readonly fence: boolean }
  | {
      readonly kind: "refuse_rejoin";
      readonly server: string;
      readonly reason: string;
      readonly fence: boolean;
    }
  | { readonly kind: "repoint"; readonly server: string; readonly primary: string };

/** Where the current primary came from, if this monitor promoted it. */
export interface PromotionRecord {
  readonly primary: string;
  readonly oldPrimary: string;
  /** the promoted server's position when it became writable */
  readonly position: GtidPosition;
}

/**
 * Whether a server holding `joiner` can replicate from a primary whose history includes
 * `history` without divergence. Per domain the joiner must not be ahead; at an equal seqno the
 * GTIDs must be the same event (same originating server).
 */
export function joinable(joiner: GtidPosition, history: GtidPosition): boolean {
  if (!gtidReaches(history, joiner)) return false;
  return joiner.every((j) => {
    const h = history.find((e) => e.domain === j.domain);
    return h === undefined || h.seqno !== j.seqno || h.serverId === j.serverId;
  });
}

export function planRepairs(
  view: PlanView,
  options: { readonly enforceReadOnlyReplicas: boolean; readonly promotion: PromotionRecord | null },
): RepairAction[] {
  const { primary } = view;
  if (primary === null) return [];
  const primaryProbe = reachableProbe(view, primary);
  // Rejoining and repointing need a live, writable primary; fencing writable replicas does not.
  const primaryLive = primaryProbe !== null && !primaryProbe.readOnly;
  const primaryPos = primaryProbe === null ? [] : executedPosition(primaryProbe);
  const actions: RepairAction[] = [];
  for (const s of view.servers) {
    if (s.name === primary || inMaintenance(view, s.name)) continue;
    const p = reachableProbe(view, s.name);
    if (p === null) continue;
    const upstream: string | null = view.roles.get(s.name)?.replicatesFrom ?? null;
    if (upstream !== null) {
      if (!p.readOnly && options.enforceReadOnlyReplicas)
        actions.push({ kind: "set_read_only", server: s.name });
      if (primaryLive && upstream !== primary) {
        const up = reachableProbe(view, upstream);
        const upstreamUsable = up !== null && view.roles.get(upstream)?.replicatesFrom != null;
        if (!upstreamUsable) actions.push({ kind: "repoint", server: s.name, primary });
      }
      continue;
    }
    if (!primaryLive) {
      if (!p.readOnly) actions.push({ kind: "set_read_only", server: s.name });
      continue;
    }
    const pos = executedPosition(p);
    const promotion = options.promotion;
    // What the primary had when it was promoted is the history an old primary must fit in.
    const history = promotion !== null && promotion.primary === primary ? promotion.position : primaryPos;
    if (joinable(pos, history) && joinable(pos, primaryPos)) {
      actions.push({ kind: "rejoin", server: s.name, primary, fence: !p.readOnly });
    } else {
      actions.push({
        kind: "refuse_rejoin",
        server: s.name,
        fence: !p.readOnly,
        reason: `${s.name} has transactions that ${primary} does not (${p.gtidCurrentPos || p.gtidBinlogPos} vs ${primaryProbe?.gtidBinlogPos ?? "?"}); it stays read_only and out of replication — rebuild it from ${primary} or reconcile by hand`,
      });
    }
  }
  return actions;
}
