/**
 * Re-renders the markdown summary and the SVG plot of a bench result JSON (after a change to
 * the report format, without re-running the bench):
 *
 *   node --import tsx bench/report/render.ts bench/results/<date>-bench.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { BenchReport } from "../run-all.js";
import { renderMarkdown } from "./markdown.js";
import { renderPlot } from "./plot.js";

const file = process.argv[2];
if (file === undefined || !file.endsWith(".json")) {
  process.stderr.write("usage: render.ts <bench result .json>\n");
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, "utf8")) as BenchReport;
writeFileSync(file.replace(/\.json$/, ".md"), renderMarkdown(report));
if (report.sysbench !== null)
  writeFileSync(file.replace(/\.json$/, ".svg"), renderPlot(report.sysbench.cells, report.options));
process.stdout.write(`rendered ${file.replace(/\.json$/, ".{md,svg}")}\n`);
