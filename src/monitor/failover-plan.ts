/**
 * Failover decisions (pure): whether the primary is to be replaced, and by whom.
 *
 * The candidate must have received at least everything every other reachable replica has
 * (GTID, domain by domain): promoting a replica that is behind another would lose the other's
 * extra transactions and break its replication. When the most advanced replica cannot be
 * promoted (maintenance, no binary log) or positions diverge, the plan is blocked with a reason
 * an operator can act on rather than promoting a worse candidate.
 */
import type { FailoverMode } from "./config.js";
import { compareGtid, formatGtidPosition, type GtidPosition, gtidOrEmpty, gtidReaches } from "./gtid.js";
import { inMaintenance, type PlanView, reachableProbe, receivedPosition } from "./plan-view.js";
import type { ReachableProbe } from "./types.js";

export type FailoverDecision =
  | { readonly kind: "go" }
  | { readonly kind: "wait"; readonly reason: string }
  | { readonly kind: "no"; readonly reason: string };

export interface DecisionInput {
  readonly mode: FailoverMode;
  readonly failAfter: number;
  readonly verifyPrimaryFailure: boolean;
  readonly leader: boolean;
  /** an earlier failover failed: no new attempt before this time (ms) */
  readonly backoffUntil: number;
  readonly now: number;
}

export function decideFailover(view: PlanView, input: DecisionInput): FailoverDecision {
  const { primary } = view;
  if (primary === null) return { kind: "no", reason: "no primary known" };
  const h = view.health.get(primary);
  if (h === undefined || h.health !== "down") return { kind: "no", reason: `primary ${primary} is not down` };
  if (input.mode !== "auto") return { kind: "no", reason: `failover mode is ${input.mode}` };
  if (h.failures < input.failAfter) {
    return { kind: "wait", reason: `primary ${primary} failed ${h.failures}/${input.failAfter} checks` };
  }
  if (!input.leader) return { kind: "no", reason: "another Sluice instance holds the monitor lock" };
  if (input.now < input.backoffUntil) return { kind: "wait", reason: "backing off after a failed failover" };
  if (input.verifyPrimaryFailure) {
    const stillConnected = replicasOf(view, primary).filter((p) =>
      p.replication.some((ch) => ch.ioRunning === "Yes"),
    );
    if (stillConnected.length > 0) {
      return {
        kind: "wait",
        reason: `${stillConnected.map((p) => p.server).join(", ")} still receive from ${primary} (IO thread running): the primary may only be unreachable from here`,
      };
    }
  }
  return { kind: "go" };
}

export type FailoverPlan =
  | {
      readonly kind: "promote";
      readonly oldPrimary: string;
      readonly candidate: string;
      /** GTID position the candidate reaches once its relay log is applied */
      readonly candidateGtid: string;
      readonly repoint: readonly string[];
      /** reachable replicas left alone (maintenance) */
      readonly untouched: readonly string[];
    }
  | { readonly kind: "blocked"; readonly oldPrimary: string; readonly reason: string };

function replicasOf(view: PlanView, primary: string): ReachableProbe[] {
  const out: ReachableProbe[] = [];
  for (const s of view.servers) {
    if (s.name === primary) continue;
    const p = reachableProbe(view, s.name);
    if (p !== null && view.roles.get(s.name)?.replicatesFrom != null) out.push(p);
  }
  return out;
}

function ineligibility(view: PlanView, p: ReachableProbe): string | null {
  if (inMaintenance(view, p.server)) return "it is in maintenance";
  if (!p.logBin) return "it has no binary log (log_bin=OFF), so replicas cannot follow it";
  return null;
}

/** Prefer online over draining, log_slave_updates (others can resume from its binlog), then config order. */
function preference(view: PlanView, p: ReachableProbe): number {
  let score = 0;
  if (view.health.get(p.server)?.admin === "draining") score += 4;
  if (!p.logSlaveUpdates) score += 2;
  return score;
}

/**
 * Why `candidate` (which will hold `position`) may lack transactions an unreachable server other
 * than the old primary had, or null when it provably holds them all: each such server must have
 * died while the primary ran, and the candidate must have received the primary's position from
 * after that death (dead-bounds.ts). The old primary's own unreplicated tail is what a failover
 * gives up by definition (semi-sync keeps it empty).
 */
function missingFromDead(view: PlanView, candidate: ReachableProbe, position: GtidPosition): string | null {
  for (const s of view.servers) {
    if (s.name === view.primary || s.name === candidate.server) continue;
    if (view.probes.get(s.name)?.kind === "reachable") continue;
    const bound = view.deadBounds?.get(s.name);
    if (bound === undefined) {
      return `${s.name} is unreachable but was not seen refusing connections while ${view.primary ?? "the primary"} still answered, so it may be running with transactions ${candidate.server} lacks; bring ${s.name} back (or remove it from the config) and the failover goes on`;
    }
    if (!gtidReaches(position, gtidOrEmpty(bound))) {
      return `${s.name} died when ${view.primary ?? "the primary"} was at ${bound}, and ${candidate.server} has received only ${formatGtidPosition(position)}: ${s.name} may hold transactions ${candidate.server} lacks; bring ${s.name} back and the failover goes on`;
    }
  }
  return null;
}

export function planFailover(view: PlanView): FailoverPlan {
  const oldPrimary = view.primary ?? "(none)";
  if (view.primary === null) return { kind: "blocked", oldPrimary, reason: "no primary known" };
  const replicas = replicasOf(view, view.primary);
  if (replicas.length === 0)
    return { kind: "blocked", oldPrimary, reason: "no reachable replica to promote" };
  const positions = new Map<string, GtidPosition>(replicas.map((p) => [p.server, receivedPosition(p)]));
  const pos = (p: ReachableProbe): GtidPosition => positions.get(p.server) ?? [];

  // Replicas that have received everything every other replica has.
  const top = replicas.filter((c) => replicas.every((o) => gtidReaches(pos(c), pos(o))));
  if (top.length === 0) {
    const pairs = replicas.flatMap((a, i) =>
      replicas
        .slice(i + 1)
        .filter((b) => compareGtid(pos(a), pos(b)) === "diverged")
        .map((b) => `${a.server}/${b.server}`),
    );
    return {
      kind: "blocked",
      oldPrimary,
      reason: `no replica has everything the others have (diverged GTID positions: ${pairs.join(", ") || "?"}); fix replication by hand`,
    };
  }
  const unproven = top.map((c) => ({ c, why: missingFromDead(view, c, pos(c)) }));
  const provable = unproven.filter((u) => u.why === null).map((u) => u.c);
  if (provable.length === 0) {
    return {
      kind: "blocked",
      oldPrimary,
      reason: `cannot prove that ${top.map((p) => p.server).join(" or ")} holds everything the unreachable servers had: ${unproven[0]?.why}`,
    };
  }
  const eligible = provable.filter((p) => ineligibility(view, p) === null);
  if (eligible.length === 0) {
    const why = provable.map((p) => `${p.server}: ${ineligibility(view, p)}`).join("; ");
    return { kind: "blocked", oldPrimary, reason: `the most advanced replicas cannot be promoted (${why})` };
  }
  const order = view.servers.map((s) => s.name);
  const chosen = [...eligible].sort(
    (a, b) => preference(view, a) - preference(view, b) || order.indexOf(a.server) - order.indexOf(b.server),
  )[0] as ReachableProbe;
  const others = replicas.filter((p) => p.server !== chosen.server);
  return {
    kind: "promote",
    oldPrimary,
    candidate: chosen.server,
    candidateGtid: formatGtidPosition(pos(chosen)),
    repoint: others.filter((p) => !inMaintenance(view, p.server)).map((p) => p.server),
    untouched: others.filter((p) => inMaintenance(view, p.server)).map((p) => p.server),
  };
}
