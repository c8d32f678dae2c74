import { LatencyHistogram } from "./latency-histogram.js";

/**
 * Per-digest statistics, like ProxySQL's stats_mysql_query_digest but bounded: at most
 * `maxEntries` digests, the least recently seen evicted first (a Map kept in recency order, so
 * recording is O(1)), and a fixed-size latency histogram per digest for p99.
 */
export interface DigestObservation {
  /** the classifier's stable fingerprint of the digest (16 hex digits) */
  readonly fingerprint: string;
  /** the digest text: the statement with literals replaced */
  readonly digest: string;
  readonly latencyMs: number;
  readonly rows: number;
  readonly error: boolean;
  readonly pool: string;
  /** ms since the epoch */
  readonly at: number;
}

export interface DigestStats {
  readonly fingerprint: string;
  readonly digest: string;
  readonly count: number;
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly avgMs: number;
  readonly p99Ms: number;
  readonly rows: number;
  readonly errors: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly pools: readonly string[];
}

/** What SHOW DIGESTS can order by. */
export const digestColumns = [
  "count",
  "total_ms",
  "avg_ms",
  "min_ms",
  "max_ms",
  "p99_ms",
  "rows",
  "errors",
  "first_seen",
  "last_seen",
  "digest",
] as const;
export type DigestColumn = (typeof digestColumns)[number];

/** A digest's state in a form a worker can send to the primary process (plain numbers). */
export interface DigestEntryExport extends Omit<DigestStats, "avgMs" | "p99Ms"> {
  readonly histogram: readonly number[];
}

/** A digest used from more pools than this keeps the first ones: the set stays bounded. */
const MAX_POOLS_PER_DIGEST = 16;

interface Entry {
  fingerprint: string;
  digest: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  rows: number;
  errors: number;
  firstSeen: number;
  lastSeen: number;
  pools: Set<string>;
  histogram: LatencyHistogram;
  /** the table's clock at the last record: recency without re-ordering the Map on every hit */
  touched: number;
}

export class DigestTable {
  readonly #entries = new Map<string, Entry>();
  #evicted = 0;
  #clock = 0;

  constructor(readonly maxEntries: number) {
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1))
      throw new Error("maxEntries must be a positive integer");
  }

  get size(): number {
    return this.#entries.size;
  }

  /** digests dropped to stay within maxEntries, since start */
  get evicted(): number {
    return this.#evicted;
  }

  record(o: DigestObservation): void {
    let e = this.#entries.get(o.fingerprint);
    if (e === undefined) {
      e = {
        fingerprint: o.fingerprint,
        digest: o.digest,
        count: 0,
        totalMs: 0,
        minMs: Number.POSITIVE_INFINITY,
        maxMs: 0,
        rows: 0,
        errors: 0,
        firstSeen: o.at,
        lastSeen: o.at,
        pools: new Set(),
        histogram: new LatencyHistogram(),
        touched: 0,
      };
      this.#entries.set(o.fingerprint, e);
      this.#evictBeyondMax(e);
    }
    e.touched = ++this.#clock;
    e.count++;
    e.totalMs += o.latencyMs;
    e.minMs = Math.min(e.minMs, o.latencyMs);
    e.maxMs = Math.max(e.maxMs, o.latencyMs);
    e.rows += o.rows;
    if (o.error) e.errors++;
    e.firstSeen = Math.min(e.firstSeen, o.at);
    e.lastSeen = Math.max(e.lastSeen, o.at);
    if (e.pools.size < MAX_POOLS_PER_DIGEST) e.pools.add(o.pool);
    e.histogram.record(o.latencyMs);
  }

  get(fingerprint: string): DigestStats | undefined {
    const e = this.#entries.get(fingerprint);
    return e === undefined ? undefined : statsOf(e);
  }

  /** All digests, most recently seen first. */
  all(): DigestStats[] {
    return [...this.#entries.values()].sort((a, b) => b.touched - a.touched).map(statsOf);
  }

  /** The first `limit` digests by a column; ties broken by fingerprint so output is stable. */
  top(orderBy: DigestColumn, limit: number, direction: "asc" | "desc" = "desc"): DigestStats[] {
    return sortDigests(this.all(), orderBy, direction, limit);
  }

  clear(): void {
    this.#entries.clear();
  }

  exportEntries(): DigestEntryExport[] {
    return [...this.#entries.values()].map((e) => ({
      fingerprint: e.fingerprint,
      digest: e.digest,
      count: e.count,
      totalMs: e.totalMs,
      minMs: e.minMs,
      maxMs: e.maxMs,
      rows: e.rows,
      errors: e.errors,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      pools: [...e.pools],
      histogram: Array.from(e.histogram.counts),
    }));
  }

  /** Adds another table's export (a worker's) into this one, in recency order. */
  absorb(entries: readonly DigestEntryExport[]): void {
    for (const x of [...entries].sort((a, b) => a.lastSeen - b.lastSeen)) {
      const e = this.#entries.get(x.fingerprint);
      const histogram = new LatencyHistogram(x.histogram);
      if (e === undefined) {
        const added = { ...x, pools: new Set(x.pools), histogram, touched: ++this.#clock };
        this.#entries.set(x.fingerprint, added);
        this.#evictBeyondMax(added);
      } else {
        e.touched = ++this.#clock;
        e.count += x.count;
        e.totalMs += x.totalMs;
        e.minMs = Math.min(e.minMs, x.minMs);
        e.maxMs = Math.max(e.maxMs, x.maxMs);
        e.rows += x.rows;
        e.errors += x.errors;
        e.firstSeen = Math.min(e.firstSeen, x.firstSeen);
        e.lastSeen = Math.max(e.lastSeen, x.lastSeen);
        for (const p of x.pools) if (e.pools.size < MAX_POOLS_PER_DIGEST) e.pools.add(p);
        e.histogram.add(histogram);
      }
    }
  }

  /**
   * Drops the least recently recorded digests beyond maxEntries (never `keep`, the one just
   * added). A scan, but only when a new digest arrives in a full table.
   */
  #evictBeyondMax(keep: Entry): void {
    while (this.#entries.size > this.maxEntries) {
      let oldest: Entry | undefined;
      for (const e of this.#entries.values()) {
        if (e !== keep && (oldest === undefined || e.touched < oldest.touched)) oldest = e;
      }
      if (oldest === undefined) break;
      this.#entries.delete(oldest.fingerprint);
      this.#evicted++;
    }
  }
}

function statsOf(e: Entry): DigestStats {
  return {
    fingerprint: e.fingerprint,
    digest: e.digest,
    count: e.count,
    totalMs: e.totalMs,
    minMs: e.minMs,
    maxMs: e.maxMs,
    avgMs: e.count === 0 ? 0 : e.totalMs / e.count,
    p99Ms: e.histogram.quantile(0.99, e.minMs, e.maxMs),
    rows: e.rows,
    errors: e.errors,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    pools: [...e.pools].sort(),
  };
}

/** Sorts digest rows by a column (pure; SHOW DIGESTS uses it on a snapshot). */
export function sortDigests(
  stats: readonly DigestStats[],
  orderBy: DigestColumn,
  direction: "asc" | "desc",
  limit: number | null,
): DigestStats[] {
  const sign = direction === "asc" ? 1 : -1;
  const value = columnValue(orderBy);
  const sorted = [...stats].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? sign * c : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
  });
  return limit === null ? sorted : sorted.slice(0, Math.max(0, limit));
}

function columnValue(c: DigestColumn): (s: DigestStats) => number | string {
  switch (c) {
    case "count":
      return (s) => s.count;
    case "total_ms":
      return (s) => s.totalMs;
    case "avg_ms":
      return (s) => s.avgMs;
    case "min_ms":
      return (s) => s.minMs;
    case "max_ms":
      return (s) => s.maxMs;
    case "p99_ms":
      return (s) => s.p99Ms;
    case "rows":
      return (s) => s.rows;
    case "errors":
      return (s) => s.errors;
    case "first_seen":
      return (s) => s.firstSeen;
    case "last_seen":
      return (s) => s.lastSeen;
    case "digest":
      return (s) => s.digest;
  }
}
