/** What the planners look at: one check's probes and the states derived from them (pure data). */
import { type GtidPosition, gtidOrEmpty, mergeGtid } from "./gtid.js";
import type { ServerRole } from "./topology.js";
import type { MonitoredServer, ProbeResult, ReachableProbe, ServerHealth } from "./types.js";

export interface PlanView {
  /** configured order: earlier servers win ties */
  readonly servers: readonly MonitoredServer[];
  readonly probes: ReadonlyMap<string, ProbeResult>;
  readonly health: ReadonlyMap<string, ServerHealth>;
  readonly roles: ReadonlyMap<string, ServerRole>;
  readonly primary: string | null;
  /**
   * unreachable servers → the GTID position they provably cannot exceed (dead-bounds.ts); an
   * unreachable server missing here may hold anything
   */
  readonly deadBounds?: ReadonlyMap<string, string>;
}

export function reachableProbe(view: PlanView, name: string): ReachableProbe | null {
  const p = view.probes.get(name);
  return p?.kind === "reachable" ? p : null;
}

export function inMaintenance(view: PlanView, name: string): boolean {
  return view.health.get(name)?.admin === "maintenance";
}

/** Everything a server has executed or logged (current + binlog positions). */
export function executedPosition(p: ReachableProbe): GtidPosition {
  return mergeGtid(gtidOrEmpty(p.gtidCurrentPos), gtidOrEmpty(p.gtidBinlogPos));
}

/** What a replica will have once it applies its relay log: executed + received (Gtid_IO_Pos). */
export function receivedPosition(p: ReachableProbe): GtidPosition {
  let pos = gtidOrEmpty(p.gtidCurrentPos);
  for (const ch of p.replication) pos = mergeGtid(pos, gtidOrEmpty(ch.gtidIoPos));
  return pos;
}
