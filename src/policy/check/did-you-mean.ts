/** Suggest the closest known names to a misspelt one (Levenshtein distance, bounded). */
export function didYouMean(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (
      d <= limit ||
      c.toLowerCase().startsWith(word.toLowerCase()) ||
      word.toLowerCase().startsWith(c.toLowerCase())
    )
      scored.push({ name: c, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** "did you mean `a` or `b`?", or a fallback listing when nothing is close. */
export function suggestion(word: string, candidates: readonly string[], what: string): string {
  const close = didYouMean(word, candidates);
  if (close.length > 0) return `did you mean ${close.map((c) => `\`${c}\``).join(" or ")}?`;
  const shown = candidates.slice(0, 8).map((c) => `\`${c}\``);
  return candidates.length === 0
    ? `no ${what} is defined`
    : `known ${what}: ${shown.join(", ")}${candidates.length > 8 ? ", …" : ""}`;
}

function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
