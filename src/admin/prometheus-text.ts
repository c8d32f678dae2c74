/**
 * Prometheus text exposition format 0.0.4, rendered from plain metric snapshots. Pure: the
 * registry (metrics.ts) produces the snapshots, workers can send them to the primary process, and
 * this turns any list of them into the body of GET /metrics.
 * Format reference: prometheus.io/docs/instrumenting/exposition_formats (text format 0.0.4).
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface HistogramSeries {
  readonly labels: Labels;
  /** count of observations ≤ each upper bound of `bounds` (non-cumulative, one per bound) */
  readonly counts: readonly number[];
  /** observations above the last bound (they count only in +Inf) */
  readonly overflow: number;
  readonly sum: number;
}

export type MetricFamily =
  | {
      readonly kind: "counter" | "gauge";
      readonly name: string;
      readonly help: string;
      /** how the same series from several workers combine */
      readonly aggregate: "sum" | "max";
      readonly samples: readonly Sample[];
    }
  | {
      readonly kind: "histogram";
      readonly name: string;
      readonly help: string;
      /** finite upper bounds, strictly increasing; +Inf is implied */
      readonly bounds: readonly number[];
      readonly series: readonly HistogramSeries[];
    };

/** Renders families in the given order; a family with no series still gets its HELP/TYPE lines. */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${f.name} ${f.kind}`);
    if (f.kind === "histogram") {
      for (const s of f.series) {
        let cumulative = 0;
        f.bounds.forEach((bound, i) => {
          cumulative += s.counts[i] ?? 0;
          out.push(
            `${f.name}_bucket${labelSet(s.labels, ["le", formatValue(bound)])} ${formatValue(cumulative)}`,
          );
        });
        const count = cumulative + s.overflow;
        out.push(`${f.name}_bucket${labelSet(s.labels, ["le", "+Inf"])} ${formatValue(count)}`);
        out.push(`${f.name}_sum${labelSet(s.labels)} ${formatValue(s.sum)}`);
        out.push(`${f.name}_count${labelSet(s.labels)} ${formatValue(count)}`);
      }
    } else {
      for (const s of f.samples) out.push(`${f.name}${labelSet(s.labels)} ${formatValue(s.value)}`);
    }
  }
  // The format requires the last line to end with a line feed.
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/** Go-style float text: integers without a fraction, +Inf/-Inf/NaN spelt as Prometheus reads them. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function labelSet(labels: Labels, extra?: readonly [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** In label values: backslash, double quote and line feed are escaped (and nothing else). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** In HELP text: backslash and line feed are escaped; double quotes stay as they are. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
