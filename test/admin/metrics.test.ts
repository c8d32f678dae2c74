import { describe, expect, it } from "vitest";
import { mergeFamilies } from "../../src/admin/merge-metrics.js";
import { MetricsRegistry } from "../../src/admin/metrics.js";
import { renderPrometheusText } from "../../src/admin/prometheus-text.js";
import { SluiceMetrics } from "../../src/admin/sluice-metrics.js";
import { parsePrometheusText } from "../support/prometheus-text-parser.js";

describe("Prometheus text rendering", () => {
  it("renders HELP/TYPE, escaped labels and help, and reads back through an independent parser", () => {
    const r = new MetricsRegistry();
    const c = r.counter("t_requests_total", 'Requests with "quotes", a back\\slash\nand a newline.', [
      "path",
    ]);
    c.inc({ path: 'a"b\\c\nd' }, 2);
    c.inc({ path: "plain" });
    const g = r.gauge("t_temperature", "A gauge.");
    g.set({}, -1.5);
    const text = r.render();
    expect(text).toBe(
      [
        '# HELP t_requests_total Requests with "quotes", a back\\\\slash\\nand a newline.',
        "# TYPE t_requests_total counter",
        't_requests_total{path="a\\"b\\\\c\\nd"} 2',
        't_requests_total{path="plain"} 1',
        "# HELP t_temperature A gauge.",
        "# TYPE t_temperature gauge",
        "t_temperature -1.5",
        "",
      ].join("\n"),
    );
    const parsed = parsePrometheusText(text);
    expect(parsed.get("t_requests_total")?.help).toBe(
      'Requests with "quotes", a back\\slash\nand a newline.',
    );
    expect(parsed.get("t_requests_total")?.samples).toEqual([
      { name: "t_requests_total", labels: { path: 'a"b\\c\nd' }, value: 2 },
      { name: "t_requests_total", labels: { path: "plain" }, value: 1 },
    ]);
  });

  it("renders cumulative histogram buckets with +Inf, _sum and _count", () => {
    const r = new MetricsRegistry();
    const h = r.histogram("t_latency_seconds", "Latency.", ["pool"], [0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 2, 20, 30]) h.observe({ pool: "reads" }, v);
    const text = r.render();
    expect(text).toContain(
      [
        't_latency_seconds_bucket{pool="reads",le="0.1"} 2',
        't_latency_seconds_bucket{pool="reads",le="1"} 3',
        't_latency_seconds_bucket{pool="reads",le="10"} 4',
        't_latency_seconds_bucket{pool="reads",le="+Inf"} 6',
        't_latency_seconds_sum{pool="reads"} 52.65',
        't_latency_seconds_count{pool="reads"} 6',
      ].join("\n"),
    );
    const fam = parsePrometheusText(text).get("t_latency_seconds");
    expect(fam?.type).toBe("histogram");
    expect(fam?.samples).toHaveLength(6);
  });

  it("renders special values the way Prometheus reads them", () => {
    const text = renderPrometheusText([
      {
        kind: "gauge",
        name: "t_g",
        help: "g",
        aggregate: "sum",
        samples: [
          { labels: { k: "inf" }, value: Number.POSITIVE_INFINITY },
          { labels: { k: "ninf" }, value: Number.NEGATIVE_INFINITY },
          { labels: { k: "nan" }, value: Number.NaN },
        ],
      },
    ]);
    expect(text).toContain('t_g{k="inf"} +Inf\nt_g{k="ninf"} -Inf\nt_g{k="nan"} NaN\n');
    const values = parsePrometheusText(text)
      .get("t_g")
      ?.samples.map((s) => s.value);
    expect(values).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
  });

  it("rejects bad names, wrong label sets and decreasing counters", () => {
    const r = new MetricsRegistry();
    expect(() => r.counter("bad-name", "x")).toThrow(/invalid metric name/);
    expect(() => r.counter("ok_total", "x", ["le"])).toThrow(/invalid label name/);
    const c = r.counter("t_total", "x", ["a"]);
    expect(() => c.inc({ b: "1" } as unknown as { a: string })).toThrow(/takes labels \{a\}/);
    expect(() => c.inc({ a: "1" }, -1)).toThrow(/only goes up/);
    expect(() => r.counter("t_total", "again")).toThrow(/registered twice/);
    expect(() => r.histogram("t_h", "x", [], [1, 1])).toThrow(/strictly increasing/);
  });

  it("merges worker snapshots: counters and histograms add, max-gauges take the maximum", () => {
    const worker = (n: number) => {
      const m = new SluiceMetrics();
      m.statement({ pool: "reads", server: "db2", rule: "reads", seconds: 0.002 * n, error: null });
      m.clientConnections("main", n);
      m.replicationLag("db2", n);
      return m.registry.collect();
    };
    const text = renderPrometheusText(mergeFamilies([worker(1), worker(3)]));
    const parsed = parsePrometheusText(text);
    const value = (family: string, name = family) =>
      parsed.get(family)?.samples.find((s) => s.name === name)?.value;
    expect(value("sluice_statements_total")).toBe(2);
    expect(value("sluice_client_connections")).toBe(4);
    expect(value("sluice_replication_lag_seconds")).toBe(3);
    expect(value("sluice_statement_duration_seconds", "sluice_statement_duration_seconds_count")).toBe(2);
    expect(value("sluice_statement_duration_seconds", "sluice_statement_duration_seconds_sum")).toBeCloseTo(
      0.008,
    );
  });
});

describe("the Sluice metric set", () => {
  it("moves the right series for a known workload, parsed by the independent parser", () => {
    const m = new SluiceMetrics();
    const workload = [
      { pool: "writes", server: "db1", rule: "writes", seconds: 0.004, error: null },
      { pool: "reads", server: "db2", rule: "reads", seconds: 0.0008, error: null },
      { pool: "reads", server: "db3", rule: "reads", seconds: 0.0009, error: null },
      { pool: "reads", server: "db2", rule: "reads", seconds: 3, error: "server" },
    ] as const;
    for (const s of workload) m.statement(s);
    m.statementRefused("writes", "no-ddl", "policy");
    m.backendConnections("db1", 2, 5);
    m.serverState("db3", "lagging");
    m.replicationLag("db3", 12.5);
    m.poolWait("db1", 0.02, false);
    m.poolWait("db1", 5.5, true);
    m.reload(true);
    m.reload(false);
    m.activePolicy("3", "sha256:abc");
    m.activePolicy("4", "sha256:def");

    const parsed = parsePrometheusText(m.render());
    const series = (family: string) =>
      (parsed.get(family)?.samples ?? []).map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`);
    expect(series("sluice_statements_total")).toEqual([
      'sluice_statements_total{"pool":"writes","server":"db1"} 1',
      'sluice_statements_total{"pool":"reads","server":"db2"} 2',
      'sluice_statements_total{"pool":"reads","server":"db3"} 1',
    ]);
    expect(series("sluice_rule_hits_total")).toEqual([
      'sluice_rule_hits_total{"rule":"writes"} 1',
      'sluice_rule_hits_total{"rule":"reads"} 3',
      'sluice_rule_hits_total{"rule":"no-ddl"} 1',
    ]);
    expect(series("sluice_statement_errors_total")).toEqual([
      'sluice_statement_errors_total{"pool":"reads","origin":"server"} 1',
      'sluice_statement_errors_total{"pool":"writes","origin":"policy"} 1',
    ]);
    expect(series("sluice_statement_duration_seconds")).toContain(
      'sluice_statement_duration_seconds_bucket{"pool":"reads","le":"0.001"} 2',
    );
    expect(series("sluice_backend_connections")).toEqual([
      'sluice_backend_connections{"server":"db1","state":"busy"} 2',
      'sluice_backend_connections{"server":"db1","state":"idle"} 5',
    ]);
    expect(series("sluice_server_state")).toContain(
      'sluice_server_state{"server":"db3","state":"lagging"} 1',
    );
    expect(series("sluice_replication_lag_seconds")).toEqual([
      'sluice_replication_lag_seconds{"server":"db3"} 12.5',
    ]);
    expect(series("sluice_pool_wait_timeouts_total")).toEqual([
      'sluice_pool_wait_timeouts_total{"server":"db1"} 1',
    ]);
    expect(series("sluice_pool_wait_seconds")).toContain('sluice_pool_wait_seconds_count{"server":"db1"} 2');
    expect(series("sluice_reloads_total")).toEqual([
      'sluice_reloads_total{"result":"ok"} 1',
      'sluice_reloads_total{"result":"failed"} 1',
    ]);
    expect(series("sluice_policy_info")).toEqual(['sluice_policy_info{"version":"4","hash":"sha256:def"} 1']);
    for (const f of parsed.values()) expect(f.help).not.toBeNull();
  });

  it("forgets a removed server's series", () => {
    const m = new SluiceMetrics();
    m.backendConnections("old", 1, 1);
    m.replicationLag("old", 1);
    m.forgetServer("old");
    expect(m.render()).not.toContain('server="old"');
  });
});

describe("the test parser is strict", () => {
  it.each([
    ["no final newline", "# TYPE a counter\na 1"],
    ["bad escape", '# TYPE a counter\na{x="\\t"} 1\n'],
    ["split groups", '# TYPE a counter\na 1\n# TYPE b counter\nb 1\na{x="y"} 2\n'],
    ["TYPE after samples", "a 1\n# TYPE a counter\n"],
    ["duplicate series", "a 1\na 2\n"],
    [
      "non-cumulative buckets",
      '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    ],
    ["+Inf != count", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ["bad value", "a one\n"],
  ])("rejects %s", (_name, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
