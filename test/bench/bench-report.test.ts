import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { parseOptions, USAGE } from "../../bench/lib/options.js";
import { summariseProfile } from "../../bench/profile/cpuprofile-summary.js";
import { lineChartGrid, niceCeiling } from "../../bench/report/svg-plot.js";
import { median, type RunRow, summarise } from "../../bench/sysbench/matrix.js";
import { histogramPercentile, parseSysbench } from "../../bench/sysbench/sysbench.js";

const REPORT = [
  "SQL statistics:",
  "    queries performed:",
  "        read:                            140000",
  "    transactions:                        10000  (333.20 per sec.)",
  "    queries:                             140000 (4664.80 per sec.)",
  "    ignored errors:                      2      (0.07 per sec.)",
  "    reconnects:                          0      (0.00 per sec.)",
  "Latency (ms):",
  "         min:                                    0.50",
  "         avg:                                    3.00",
  "         95th percentile:                        7.98",
  "Latency histogram (values are in milliseconds)",
  "       value  ------------- distribution ------------- count",
  "       0.500 |****                                     10",
  "       1.000 |********************                     40",
  "       2.000 |*****                                    30",
  "       8.000 |**                                       20",
].join("\n");

describe("sysbench report parsing", () => {
  it("reads rates, latencies and the histogram median", () => {
    const r = parseSysbench(REPORT);
    expect(r).toMatchObject({
      queries: 140000,
      qps: 4664.8,
      tps: 333.2,
      ignoredErrors: 2,
      avgMs: 3,
      p95Ms: 7.98,
    });
    expect(r.errors).toBe(0);
    // 10 + 40 = 50 of 100 events at or below 1.000 ms
    expect(r.p50Ms).toBe(1);
    expect(histogramPercentile(REPORT, 0.95)).toBe(8);
  });

  it("counts a run without a report as failed and keeps its last lines", () => {
    const r = parseSysbench(
      "FATAL: unable to connect to MySQL server on host '127.0.0.1', port 1\nFATAL: error 2003",
    );
    expect(r.errors).toBe(2);
    expect(r.qps).toBe(0);
    expect(r.errorLines[0]).toContain("unable to connect");
    const silent = parseSysbench("something unexpected");
    expect(silent.errors).toBe(1);
    expect(silent.errorLines).toEqual(["something unexpected"]);
  });
});

function row(target: string, round: number, qps: number, p50Ms: number, cpu: number | null): RunRow {
  return {
    workload: "point_select",
    psMode: "disable",
    threads: 8,
    round,
    target,
    queries: qps * 10,
    qps,
    tps: qps,
    avgMs: 1,
    p50Ms,
    p95Ms: 2,
    errors: 0,
    ignoredErrors: 0,
    reconnects: 0,
    cpuSeconds: cpu,
    cpuSecondsPer1000Queries: cpu,
    rssMiB: null,
    peakRssMiB: target === "direct" ? null : 80 + round,
    loadAverage1m: 1,
    errorLines: [],
  };
}

describe("matrix summary", () => {
  it("takes medians over rounds and compares each proxy with direct in the same cell", () => {
    const cells = summarise([
      row("direct", 1, 1000, 0.5, null),
      row("sluice", 1, 600, 0.8, 0.06),
      row("direct", 2, 1200, 0.4, null),
      row("sluice", 2, 500, 0.9, 0.08),
    ]);
    const direct = cells.find((c) => c.target === "direct")!;
    const sluice = cells.find((c) => c.target === "sluice")!;
    expect(direct.qps).toBe(1100);
    expect(direct.qpsVsDirect).toBeNull();
    expect(sluice.qps).toBe(550);
    expect(sluice.qpsRange).toEqual([500, 600]);
    expect(sluice.qpsVsDirect).toBe(0.5);
    expect(sluice.cpuMsPerQuery).toBe(0.07);
    expect(sluice.p50AddedMs).toBe(0.4);
    expect(sluice.peakRssMiB).toBe(82);
  });

  it("median of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe("svg plot", () => {
  it("rounds axes up to 1, 2, 2.5 or 5 × 10^k", () => {
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(1800)).toBe(2000);
    expect(niceCeiling(2100)).toBe(2500);
    expect(niceCeiling(31000)).toBe(50000);
  });

  it("draws one line per measured series and skips gaps", () => {
    const svg = lineChartGrid(
      [
        {
          title: "point <select>",
          xLabels: ["1", "8", "32"],
          series: [
            { name: "direct", values: [100, 200, 300] },
            { name: "sluice", values: [50, null, 150] },
            { name: "proxysql", values: [null, null, 10] },
          ],
        },
      ],
      { title: "t", xTitle: "threads", yTitle: "qps", columns: 1 },
    );
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(6);
    expect(svg).toContain("point &lt;select&gt;");
  });
});

describe("cpuprofile summary", () => {
  it("charges self time to leaves, inclusive time to every frame on the stack, native time to the nearest project function", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      startTime: 0,
      endTime: 10_000,
      nodes: [
        { id: 1, callFrame: frame("(root)", ""), children: [2, 5] },
        // the repository wherever it is checked out (CI clones it elsewhere)
        {
          id: 2,
          callFrame: frame("forward", pathToFileURL(join(process.cwd(), "src/session/forwarder.ts")).href),
          children: [3],
        },
        { id: 3, callFrame: frame("write", "node:net"), children: [4] },
        { id: 4, callFrame: frame("writeBuffer", ""), children: [] },
        { id: 5, callFrame: frame("(idle)", ""), children: [] },
      ],
      samples: [4, 4, 2, 5],
      timeDeltas: [1000, 1000, 1000, 7000],
    };
    const s = summariseProfile(profile, 10);
    expect(s.totalMs).toBe(10);
    expect(s.busyMs).toBe(3);
    expect(s.topSelf[0]).toMatchObject({ name: "writeBuffer", ms: 2 });
    expect(s.topInclusive.find((f) => f.name === "forward")?.ms).toBe(3);
    expect(s.byProjectCaller[0]).toMatchObject({ name: "forward", ms: 3, percent: 100 });
  });
});

describe("bench options", () => {
  it("quick defaults, lists, and refusals", () => {
    const quick = parseOptions(["--quick"]);
    expect(quick.workloads).toEqual(["point_select", "read_write"]);
    expect(quick.rounds).toBe(1);
    const o = parseOptions(["--threads", "2,4", "--ps", "auto", "--only", "sysbench"]);
    expect(o.threads).toEqual([2, 4]);
    expect(o.psModes).toEqual(["auto"]);
    expect(o.parts).toEqual(["sysbench"]);
    expect(o.workloads).toHaveLength(4);
    expect(() => parseOptions(["--workloads", "oltp_nope"])).toThrow(/unknown workload/);
    expect(() => parseOptions(["--frobnicate"])).toThrow(/unknown option/);
    expect(() => parseOptions(["--threads", "0"])).toThrow(/positive integers/);
    expect(parseOptions(["--conn-write-percent", "0"]).connWritePercent).toBe(0);
  });

  it("accepts every option the usage text lists", () => {
    const listed = [...USAGE.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] ?? "");
    expect(listed.length).toBeGreaterThan(10);
    const sample: Record<string, string> = {
      "--only": "micro",
      "--workloads": "point_select",
      "--ps": "auto",
      "--sluice": "embedded",
      "--runtime": "tsx",
      "--multiplex": "off",
      "--name": "x",
      "--label": "y",
    };
    for (const option of listed) {
      const args = option === "--quick" || option === "--help" ? [option] : [option, sample[option] ?? "3"];
      expect(() => parseOptions(args), option).not.toThrow();
    }
  });
});
