/**
 * Counts occurrences per key (a digest) with one example statement each, in bounded memory: when
 * more than `capacity` distinct keys are held, the ones seen once are dropped (a log of unique
 * ad-hoc statements would otherwise grow the table without end). Counts of keys that survive a
 * pruning are exact from then on; a key dropped and seen again restarts at one.
 */
export class TopCounter {
  private readonly counts = new Map<string, { count: number; example: string }>();

  constructor(private readonly capacity = 20_000) {}

  add(key: string, example: string): void {
    const entry = this.counts.get(key);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    if (this.counts.size >= this.capacity) this.prune();
    this.counts.set(key, { count: 1, example });
  }

  /** The `n` most frequent keys, most frequent first (ties by key, for stable output). */
  top(n: number): { digest: string; count: number; example: string }[] {
    return [...this.counts]
      .map(([digest, e]) => ({ digest, count: e.count, example: e.example }))
      .sort((a, b) => b.count - a.count || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
      .slice(0, n);
  }

  private prune(): void {
    for (const [key, e] of this.counts) if (e.count <= 1) this.counts.delete(key);
    // every key seen more than once: halve the table by dropping the least frequent half
    if (this.counts.size >= this.capacity) {
      const keep = this.top(Math.floor(this.capacity / 2));
      this.counts.clear();
      for (const k of keep) this.counts.set(k.digest, { count: k.count, example: k.example });
    }
  }
}
