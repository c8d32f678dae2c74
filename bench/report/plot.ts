/** QPS against threads, one panel per workload × prepared-statement mode, one line per target. */
import type { BenchOptions } from "../lib/options.js";
import type { CellSummary } from "../sysbench/matrix.js";
import { lineChartGrid, type Panel } from "./svg-plot.js";

export function renderPlot(cells: readonly CellSummary[], o: BenchOptions): string {
  const targets = [...new Set(cells.map((c) => c.target))];
  const panels: Panel[] = [];
  for (const psMode of o.psModes)
    for (const workload of o.workloads)
      panels.push({
        title: `${workload} (ps=${psMode})`,
        xLabels: o.threads.map(String),
        series: targets.map((target) => ({
          name: target,
          values: o.threads.map(
            (threads) =>
              cells.find(
                (c) =>
                  c.target === target &&
                  c.workload === workload &&
                  c.psMode === psMode &&
                  c.threads === threads,
              )?.qps ?? null,
          ),
        })),
      });
  return lineChartGrid(panels, {
    title: "sysbench QPS against threads (median of interleaved rounds)",
    xTitle: "threads",
    yTitle: "queries/s",
    columns: Math.min(4, o.workloads.length),
  });
}
