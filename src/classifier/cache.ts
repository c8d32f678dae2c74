import { classifyTokens } from "./classify.js";
import { buildDigest } from "./digest.js";
import type { ClassifyContext, Facts } from "./facts.js";
import { statementRanges } from "./split.js";
import { tokenize } from "./tokenizer.js";

/**
 * A bounded map with two generations (LRU-ish, O(1) everything): new entries go into `young`; a hit
 * in `old` moves the entry to `young`; when `young` reaches half the bound it becomes `old` and the
 * previous `old` is dropped whole. Entries used within the last half-bound insertions survive;
 * nothing is ever scanned (a Map used as a FIFO degrades with the holes deletion leaves).
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError(`cache size must be at least 1, got ${maxEntries}`);
    this.half = Math.max(1, Math.floor(maxEntries / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.insert(key, o);
    }
    return o;
  }

  set(key: string, value: V): void {
    this.old.delete(key);
    this.insert(key, value);
  }

  private insert(key: string, value: V): void {
    if (!this.young.has(key) && this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    // an odd bound: old may hold one more than half; keep the total within the bound
    if (this.size > this.maxEntries) {
      const first = this.old.keys().next();
      if (first.done !== true) this.old.delete(first.value);
    }
  }
}

export interface ClassifierCacheStats {
  textHits: number;
  digestHits: number;
  misses: number;
}

/**
 * Two levels, both bounded:
 * 1. exact text → facts: a repeated statement costs one Map lookup;
 * 2. digest → facts, for statements whose facts do not depend on their literals (no hints, no
 *    SET values, a single statement): the same query with other literals costs a tokenize and a
 *    digest, not a full recognition.
 * Facts are shared between callers: treat them as read-only (their types say so).
 */
export class ClassifierCache {
  private readonly byText: BoundedCache<Facts>;
  private readonly byDigest: BoundedCache<Facts>;
  readonly stats: ClassifierCacheStats = { textHits: 0, digestHits: 0, misses: 0 };

  constructor(
    readonly maxEntries = 10_000,
    private readonly context?: ClassifyContext,
  ) {
    this.byText = new BoundedCache(maxEntries);
    this.byDigest = new BoundedCache(maxEntries);
  }

  classify(sql: string): Facts {
    const hit = this.byText.get(sql);
    if (hit !== undefined) {
      this.stats.textHits++;
      return hit;
    }
    const t = tokenize(sql, this.context);
    const ranges = statementRanges(t);
    const single = ranges.length === 1 && t.hints.length === 0 && !t.unterminated;
    const range = ranges[0];
    let digest: string | null = null;
    if (single && range !== undefined) {
      digest = buildDigest({ t, from: range.from, to: range.to });
      const byDigest = this.byDigest.get(digest);
      if (byDigest !== undefined) {
        this.stats.digestHits++;
        this.byText.set(sql, byDigest);
        return byDigest;
      }
    }
    this.stats.misses++;
    const facts = classifyTokens(t, ranges);
    this.byText.set(sql, facts);
    if (digest !== null && literalFree(facts)) this.byDigest.set(digest, facts);
    return facts;
  }
}

/** Facts that would be the same for any literals in the statement. */
function literalFree(f: Facts): boolean {
  if (f.preparedSql !== null && f.preparedSql !== undefined) return false;
  for (const e of f.sessionEffects) {
    switch (e.kind) {
      case "set_variable":
      case "user_variable":
      case "set_autocommit":
      case "set_names":
      case "set_charset":
      case "set_transaction":
        return false;
    }
  }
  return true;
}

const shared = new Map<string, ClassifierCache>();

function contextKey(c: ClassifyContext | undefined): string {
  if (c === undefined) return "";
  return `${c.ansiQuotes === true ? "A" : ""}${c.noBackslashEscapes === true ? "B" : ""}:${c.serverVersion ?? ""}:${c.mariadb ?? ""}`;
}

/** `classify` through a process-wide bounded cache (one per distinct context). */
export function classifyCached(sql: string, context?: ClassifyContext): Facts {
  const key = contextKey(context);
  let cache = shared.get(key);
  if (cache === undefined) {
    if (shared.size >= 16) shared.clear(); // contexts are few in practice; never let them grow unbounded
    cache = new ClassifierCache(10_000, context);
    shared.set(key, cache);
  }
  return cache.classify(sql);
}
