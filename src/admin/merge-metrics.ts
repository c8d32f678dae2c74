import type { HistogramSeries, Labels, MetricFamily, Sample } from "./prometheus-text.js";

/**
 * Combines the snapshots of several workers into one: counters and histograms add up; gauges add
 * up (connections) or take the maximum (lag, info), as each gauge declares. Families are matched
 * by name; the first worker's HELP and buckets win.
 */
export function mergeFamilies(perWorker: readonly (readonly MetricFamily[])[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const families of perWorker) {
    for (const f of families) {
      const prev = byName.get(f.name);
      byName.set(f.name, prev === undefined ? f : mergeTwo(prev, f));
    }
  }
  return [...byName.values()];
}

function mergeTwo(a: MetricFamily, b: MetricFamily): MetricFamily {
  if (a.kind === "histogram") {
    if (b.kind !== "histogram" || b.bounds.join() !== a.bounds.join()) return a;
    const series = new Map<string, HistogramSeries>();
    for (const s of [...a.series, ...b.series]) {
      const k = labelKey(s.labels);
      const p = series.get(k);
      series.set(
        k,
        p === undefined
          ? s
          : {
              labels: s.labels,
              counts: p.counts.map((c, i) => c + (s.counts[i] ?? 0)),
              overflow: p.overflow + s.overflow,
              sum: p.sum + s.sum,
            },
      );
    }
    return { ...a, series: [...series.values()] };
  }
  if (b.kind === "histogram" || b.kind !== a.kind) return a;
  const samples = new Map<string, Sample>();
  for (const s of [...a.samples, ...b.samples]) {
    const k = labelKey(s.labels);
    const p = samples.get(k);
    const value =
      p === undefined ? s.value : a.aggregate === "max" ? Math.max(p.value, s.value) : p.value + s.value;
    samples.set(k, { labels: s.labels, value });
  }
  return { ...a, samples: [...samples.values()] };
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}
