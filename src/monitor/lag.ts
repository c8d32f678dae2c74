/**
 * Replica lag measured from GTID positions (pure).
 *
 * Seconds_Behind_Master is NULL whenever the SQL thread is stopped and only moves while events
 * are pending, with a one-second resolution. The monitor therefore also keeps a short history of
 * the primary's @@gtid_binlog_pos, stamped with the check at which each position was first seen.
 * A replica's lag is the age of the oldest recorded primary position it has not reached yet:
 * zero when it has everything, growing by one second per second when it is stuck — whatever
 * the state of its replication threads. It is a lower bound, exact to one check interval (a
 * position is stamped when first seen, not when written).
 */
import { type GtidPosition, gtidOrEmpty, gtidReaches } from "./gtid.js";
import type { ReachableProbe } from "./types.js";

export interface PositionSample {
  readonly at: number;
  readonly position: GtidPosition;
}

export interface LagHistory {
  /** the primary the samples came from; a new primary starts a new history */
  readonly primary: string | null;
  readonly samples: readonly PositionSample[];
}

export const emptyLagHistory: LagHistory = { primary: null, samples: [] };

const MAX_SAMPLES = 1000;

/** Adds the primary's current position if it moved since the last sample. */
export function recordPrimaryPosition(
  history: LagHistory,
  primary: string | null,
  primaryProbe: ReachableProbe | null,
  now: number,
): LagHistory {
  const base = history.primary === primary ? history : { primary, samples: [] };
  if (primary === null || primaryProbe === null) return base;
  const position = gtidOrEmpty(primaryProbe.gtidBinlogPos);
  const last = base.samples[base.samples.length - 1];
  if (last !== undefined && gtidReaches(last.position, position)) return base;
  const samples = [...base.samples, { at: now, position }];
  return { primary, samples: samples.length > MAX_SAMPLES ? samples.slice(-MAX_SAMPLES) : samples };
}

/** Lag in seconds from the history alone; null when there is no primary position to compare with. */
export function gtidLagSeconds(
  history: LagHistory,
  replicaPosition: GtidPosition,
  now: number,
): number | null {
  if (history.samples.length === 0) return null;
  for (const s of history.samples) {
    if (!gtidReaches(replicaPosition, s.position)) return Math.max(0, (now - s.at) / 1000);
  }
  return 0;
}

/** Drops samples every replica has reached, keeping the newest (the next comparison point). */
export function pruneHistory(history: LagHistory, replicaPositions: readonly GtidPosition[]): LagHistory {
  const { samples } = history;
  let drop = 0;
  while (
    drop < samples.length - 1 &&
    replicaPositions.every((r) => gtidReaches(r, (samples[drop] as PositionSample).position))
  ) {
    drop++;
  }
  return drop === 0 ? history : { primary: history.primary, samples: samples.slice(drop) };
}

/**
 * A replica's lag: the larger of Seconds_Behind_Master (of its channel from the primary) and the
 * GTID-history lag. Null when neither is known.
 */
export function replicaLagSeconds(history: LagHistory, probe: ReachableProbe, now: number): number | null {
  const fromHistory = gtidLagSeconds(history, gtidOrEmpty(probe.gtidCurrentPos), now);
  let sbm: number | null = null;
  for (const ch of probe.replication) {
    if (ch.secondsBehindMaster !== null) sbm = Math.max(sbm ?? 0, ch.secondsBehindMaster);
  }
  if (fromHistory === null) return sbm;
  if (sbm === null) return fromHistory;
  return Math.max(fromHistory, sbm);
}
