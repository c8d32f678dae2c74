import {
  type HistogramSeries,
  LABEL_NAME,
  type Labels,
  METRIC_NAME,
  type MetricFamily,
  renderPrometheusText,
  type Sample,
} from "./prometheus-text.js";

/**
 * A tiny in-process metrics registry: counters, gauges and fixed-bucket histograms with declared
 * label names. Recording is a map lookup and an addition (cheap enough for once per statement);
 * `collect()` returns plain snapshots, which `mergeFamilies` can add up across workers.
 */
type LabelArg<L extends string> = [L] extends [never] ? Record<string, never> : Readonly<Record<L, string>>;

abstract class Metric<L extends string> {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__") || l === "le") {
        throw new Error(`invalid label name ${JSON.stringify(l)} on ${name}`);
      }
    }
  }

  /** A stable key for one label combination, in declared order (throws on a missing/extra label). */
  protected key(labels: LabelArg<L>): string {
    const given = labels as Readonly<Record<string, string>>;
    const keys = Object.keys(given);
    if (
      keys.length !== this.labelNames.length ||
      !this.labelNames.every((l) => typeof given[l] === "string")
    ) {
      throw new Error(`${this.name} takes labels {${this.labelNames.join(", ")}}, got {${keys.join(", ")}}`);
    }
    return this.labelNames.map((l) => given[l]).join("\u0000");
  }

  protected labelsOf(key: string): Labels {
    const values = this.labelNames.length === 0 ? [] : key.split("\u0000");
    return Object.fromEntries(this.labelNames.map((l, i) => [l, values[i] ?? ""]));
  }

  abstract collect(): MetricFamily;
}

/** One counter series; callers on the hot path keep it to skip the label lookup. */
export interface CounterCell {
  value: number;
}

export class Counter<L extends string = never> extends Metric<L> {
  readonly #values = new Map<string, CounterCell>();

  inc(labels: LabelArg<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${by})`);
    this.cell(labels).value += by;
  }

  /** The series for `labels`, created at zero; stays valid for the counter's life. */
  cell(labels: LabelArg<L>): CounterCell {
    const k = this.key(labels);
    let c = this.#values.get(k);
    if (c === undefined) {
      c = { value: 0 };
      this.#values.set(k, c);
    }
    return c;
  }

  get(labels: LabelArg<L>): number {
    return this.#values.get(this.key(labels))?.value ?? 0;
  }

  collect(): MetricFamily {
    const samples: Sample[] = [...this.#values].map(([k, c]) => ({
      labels: this.labelsOf(k),
      value: c.value,
    }));
    return { kind: "counter", name: this.name, help: this.help, aggregate: "sum", samples };
  }
}

export class Gauge<L extends string = never> extends Metric<L> {
  readonly #values = new Map<string, number>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    readonly aggregate: "sum" | "max" = "sum",
  ) {
    super(name, help, labelNames);
  }

  set(labels: LabelArg<L>, value: number): void {
    this.#values.set(this.key(labels), value);
  }

  inc(labels: LabelArg<L>, by = 1): void {
    const k = this.key(labels);
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }

  /** Removes one series (a server removed by a reload should not linger in /metrics). */
  remove(labels: LabelArg<L>): void {
    this.#values.delete(this.key(labels));
  }

  /** Drops every series; for info gauges and gauges rebuilt at each scrape. */
  clear(): void {
    this.#values.clear();
  }

  get(labels: LabelArg<L>): number | undefined {
    return this.#values.get(this.key(labels));
  }

  collect(): MetricFamily {
    const samples: Sample[] = [...this.#values].map(([k, value]) => ({ labels: this.labelsOf(k), value }));
    return { kind: "gauge", name: this.name, help: this.help, aggregate: this.aggregate, samples };
  }
}

/** One histogram series (bucket counts below each bound, then the overflow). */
export interface HistogramState {
  counts: number[];
  overflow: number;
  sum: number;
}

export class Histogram<L extends string = never> extends Metric<L> {
  readonly #series = new Map<string, HistogramState>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
    const ok =
      bounds.length > 0 && bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > bounds[i - 1]!));
    if (!ok) throw new Error(`${name}: buckets must be finite and strictly increasing`);
  }

  observe(labels: LabelArg<L>, value: number): void {
    this.observeIn(this.series(labels), value);
  }

  /** The series for `labels`, created empty; stays valid for the histogram's life. */
  series(labels: LabelArg<L>): HistogramState {
    const k = this.key(labels);
    let s = this.#series.get(k);
    if (s === undefined) {
      s = { counts: this.bounds.map(() => 0), overflow: 0, sum: 0 };
      this.#series.set(k, s);
    }
    return s;
  }

  /** Records into a series from `series()`: no label lookup, no allocation. */
  observeIn(s: HistogramState, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    if (i === bounds.length) s.overflow++;
    else s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
  }

  count(labels: LabelArg<L>): number {
    const s = this.#series.get(this.key(labels));
    return s === undefined ? 0 : s.counts.reduce((a, b) => a + b, 0) + s.overflow;
  }

  collect(): MetricFamily {
    const series: HistogramSeries[] = [...this.#series].map(([k, s]) => ({
      labels: this.labelsOf(k),
      counts: [...s.counts],
      overflow: s.overflow,
      sum: s.sum,
    }));
    return { kind: "histogram", name: this.name, help: this.help, bounds: this.bounds, series };
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric<string>>();
  readonly #beforeCollect: (() => void)[] = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.#add(new Counter<L>(name, help, labelNames));
  }

  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    aggregate: "sum" | "max" = "sum",
  ): Gauge<L> {
    return this.#add(new Gauge<L>(name, help, labelNames, aggregate));
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    bounds: readonly number[],
  ): Histogram<L> {
    return this.#add(new Histogram<L>(name, help, labelNames, bounds));
  }

  /** Runs before each collect: for gauges read from live state (pool sizes) at scrape time. */
  beforeCollect(fn: () => void): void {
    this.#beforeCollect.push(fn);
  }

  collect(): MetricFamily[] {
    for (const fn of this.#beforeCollect) fn();
    return [...this.#metrics.values()].map((m) => m.collect());
  }

  render(): string {
    return renderPrometheusText(this.collect());
  }

  #add<M extends Metric<string>>(m: M): M {
    if (this.#metrics.has(m.name)) throw new Error(`metric ${m.name} is registered twice`);
    this.#metrics.set(m.name, m);
    return m;
  }
}
