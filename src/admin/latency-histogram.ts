/**
 * A fixed-size log-bucket latency histogram: 8 buckets per doubling from 1 µs to ~2^27 µs (134 s),
 * so any quantile is known within about ±4.5% in 216 counters, whatever the number of
 * observations. One per digest keeps the digest table's memory bounded.
 */
const PER_DOUBLING = 8;
export const HISTOGRAM_BUCKETS = 27 * PER_DOUBLING;

export class LatencyHistogram {
  readonly counts: Uint32Array;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Uint32Array(HISTOGRAM_BUCKETS);
    if (counts !== undefined) this.counts.set(Array.from(counts).slice(0, HISTOGRAM_BUCKETS));
  }

  record(ms: number): void {
    const i = bucketOf(ms);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++)
      this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
  }

  /**
   * The q-quantile (nearest rank) in ms: the geometric middle of the bucket holding that rank,
   * clamped to the exact [min, max] seen; the top rank is the exact maximum.
   */
  quantile(q: number, min: number, max: number): number {
    let total = 0;
    for (const c of this.counts) total += c;
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * total));
    // The last rank is the maximum, known exactly (so p99 of fewer than 100 statements is exact).
    if (rank >= total) return max;
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) {
        const mid = i === 0 ? 0.001 : 2 ** ((i + 0.5) / PER_DOUBLING) / 1000;
        return Math.min(max, Math.max(min, mid));
      }
    }
    return max;
  }
}

function bucketOf(ms: number): number {
  const us = ms * 1000;
  if (!(us > 1)) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log2(us) * PER_DOUBLING));
}
