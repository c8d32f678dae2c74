import type { BalanceMethod } from "../policy/vocabulary.js";

/** One server a pool may use right now, with the load figures balancing reads. */
export interface Candidate {
  readonly name: string;
  /** relative weight for `weighted` (≤ 0 means never chosen by weight) */
  readonly weight: number;
  /** statements in flight on this server from this Sluice */
  readonly active: number;
  /** backend connections this Sluice holds to the server (in use and idle) */
  readonly connections: number;
}

/** The little state balancing keeps between calls: a round-robin cursor. */
export interface BalanceCursor {
  next: number;
}

/**
 * Picks a server among `candidates` (already filtered: up, in rotation, under max lag).
 * Pure but for the cursor it advances; `random` is injected so tests are deterministic.
 * Ties go to the earlier candidate, so the order of `candidates` is the tie-break.
 */
export function pickServer(
  method: BalanceMethod,
  candidates: readonly Candidate[],
  cursor: BalanceCursor,
  random: () => number = Math.random,
): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  switch (method) {
    case "least-active":
      return minBy(candidates, (c) => c.active);
    case "least-connections":
      return minBy(candidates, (c) => c.connections);
    case "round-robin": {
      const chosen = candidates[cursor.next % candidates.length];
      cursor.next = (cursor.next + 1) % 1_000_000_007;
      return chosen;
    }
    case "weighted":
      return weighted(candidates, random);
  }
}

function minBy(candidates: readonly Candidate[], key: (c: Candidate) => number): Candidate | undefined {
  let best: Candidate | undefined;
  let bestKey = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    // Weight scales load, so a server with twice the weight takes twice the operations.
    const k = key(c) / Math.max(c.weight, Number.EPSILON);
    if (k < bestKey) {
      best = c;
      bestKey = k;
    }
  }
  return best;
}

function weighted(candidates: readonly Candidate[], random: () => number): Candidate | undefined {
  let total = 0;
  for (const c of candidates) total += Math.max(c.weight, 0);
  if (total <= 0) return candidates[0];
  let point = random() * total;
  for (const c of candidates) {
    point -= Math.max(c.weight, 0);
    if (point < 0) return c;
  }
  return candidates[candidates.length - 1];
}
