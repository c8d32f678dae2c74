/** The human summary of a bench run: what README's "Performance" section shows. */
import { relative } from "node:path";
import { REPO_DIR } from "../lib/results.js";
import type { BenchReport } from "../run-all.js";
import type { CellSummary } from "../sysbench/matrix.js";

const fmt = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined
    ? "–"
    : v.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function sysbenchTable(cells: readonly CellSummary[]): string {
  const proxies = [...new Set(cells.map((c) => c.target))].filter((t) => t !== "direct");
  const head = [
    "workload",
    "ps",
    "thr",
    "direct QPS",
    ...proxies.flatMap((p) => [`${p} QPS`, `${p}/direct`, `${p} CPU ms/q`, `${p} +p50 ms`]),
    "direct p95 ms",
    ...proxies.map((p) => `${p} p95 ms`),
    "errors",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  const directs = cells.filter((c) => c.target === "direct");
  for (const d of directs) {
    const same = (p: string) =>
      cells.find(
        (c) =>
          c.target === p && c.workload === d.workload && c.psMode === d.psMode && c.threads === d.threads,
      );
    const row = [
      d.workload,
      d.psMode,
      String(d.threads),
      fmt(d.qps),
      ...proxies.flatMap((p) => {
        const s = same(p);
        return [fmt(s?.qps), fmt(s?.qpsVsDirect, 2), fmt(s?.cpuMsPerQuery, 3), fmt(s?.p50AddedMs, 2)];
      }),
      fmt(d.p95Ms, 2),
      ...proxies.map((p) => fmt(same(p)?.p95Ms, 2)),
      String(
        cells
          .filter((c) => c.workload === d.workload && c.psMode === d.psMode && c.threads === d.threads)
          .reduce((a, c) => a + c.errors, 0),
      ),
    ];
    lines.push(`| ${row.join(" | ")} |`);
  }
  return lines.join("\n");
}

export function renderMarkdown(r: BenchReport): string {
  const o = r.options;
  const out: string[] = [
    `# Sluice bench ${r.date.slice(0, 10)}${r.label === "" ? "" : ` — ${r.label}`}`,
    "",
    `Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; MariaDB ${r.server || "–"}. ` +
      `Load average before ${r.machine.loadAverage.join(" / ")}, after ${r.loadAverageAfter.join(" / ")} ` +
      "(sysbench, three MariaDB servers, the proxy and other jobs share these cores)." +
      (r.source === undefined
        ? ""
        : ` Code: commit ${r.source.commit}${r.source.changedFiles > 0 ? ` with ${r.source.changedFiles} changed file(s) under src/` : ""}.`),
    "",
  ];
  for (const [name, how] of Object.entries(r.targets)) out.push(`- \`${name}\`: ${how}`);
  if (r.notMeasured.length > 0) out.push("", "Not measured:", ...r.notMeasured.map((n) => `- ${n}`));
  const failures = (r as { failures?: string[] }).failures ?? [];
  if (failures.length > 0) out.push("", "FAILED parts:", ...failures.map((f) => `- ${f}`));
  if (r.sysbench !== null) {
    out.push(
      "",
      "## sysbench",
      "",
      `${o.rounds} interleaved round(s) of ${o.seconds} s per cell (direct, proxy, direct, proxy…); medians. ` +
        "`CPU ms/q` = the proxy's utime+stime per query (= CPU seconds per 1,000 queries); `+p50` = added median latency over direct in the same cell. " +
        "Direct always goes to the primary; a proxy may send reads to the replicas.",
      "",
      sysbenchTable(r.sysbench.cells),
    );
    const peak = Math.max(0, ...r.sysbench.cells.map((c) => c.peakRssMiB ?? 0));
    if (peak > 0) out.push("", `Peak RSS of the proxy process(es) over the whole matrix: ${peak} MiB.`);
    out.push("", targetsParagraph(r.sysbench.cells));
  }
  if (r.connScale.length > 0) {
    out.push(
      "",
      "## Connection scale",
      "",
      "| scenario | Sluice | clients asked | writes % | opened | failed opens | queries | query errors | max backend conns | RSS MiB | peak RSS MiB |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const c of r.connScale) {
      const cl = (c.client ?? {}) as Record<string, unknown>;
      out.push(
        `| ${c.scenario} | ${c.sluice} | ${c.spec.count} | ${String(c.spec.writePercent ?? 10)} | ${String(cl.opened ?? "–")} | ${String(cl.failedOpens ?? "–")} | ${String(cl.queries ?? "–")} | ${String(cl.queryErrors ?? "–")} | ${c.maxBackendConnections}${byServer(c)} | ${c.sluiceRssMiB} | ${c.sluicePeakRssMiB} |`,
      );
    }
    for (const c of r.connScale) {
      const errors = (c.client as { errors?: Record<string, number> } | null)?.errors ?? {};
      const list = Object.entries(errors);
      if (list.length > 0 || c.error !== undefined)
        out.push(
          "",
          `Errors (${c.scenario}):`,
          ...(c.error === undefined ? [] : [`- ${c.error}`]),
          ...list.map(([m, n]) => `- ${n} × ${m}`),
        );
    }
  }
  if (r.micro.length > 0) {
    out.push("", "## Micro-benchmarks", "");
    for (const m of r.micro)
      out.push(
        m.kind === "ok"
          ? `- ${m.name}: ${microLine(m.result)}`
          : `- ${m.name}: FAILED (${m.error.split("\n")[0]})`,
      );
  }
  for (const p of r.profiles) {
    out.push(
      "",
      `## Profile: ${p.spec.workload} ps=${p.spec.psMode} ${p.spec.threads} threads (${p.sluice})`,
      "",
      `${fmt(p.qps)} QPS, ${p.cpuSecondsPer1000Queries} ms CPU/query with the profiler on; \`${relative(REPO_DIR, p.profileFile)}\` (not committed; open in Chrome DevTools or speedscope for a flame graph). Top self time:`,
      "",
      "| % busy | ms | function | where |",
      "|---|---|---|---|",
      ...p.summary.topSelf.slice(0, 12).map((f) => `| ${f.percent} | ${f.ms} | \`${f.name}\` | ${f.where} |`),
      "",
      `Charged to the nearest Sluice function (socket writes, buffers and promises counted where Sluice called them): ${p.summary.byProjectCaller
        .slice(0, 8)
        .map((f) => `\`${f.name}\` (${f.where.replace(/:\d+$/, "")}) ${f.percent}%`)
        .join(", ")}.`,
      "",
      `By file: ${p.summary.byFile
        .slice(0, 10)
        .map((f) => `${f.name} ${f.percent}%`)
        .join(", ")}`,
    );
  }
  out.push(
    "",
    `Wall time ${Math.round(r.wallSeconds / 60)} min. Reproduce: \`npm run bench${reproduceArgs(r)}\`.`,
    "",
  );
  return out.join("\n");
}

/**
 * The issue's yardstick, measured elsewhere on the same kind of machine (2 shared cores, text
 * protocol, reads free to go to replicas): ProxySQL 2.7 used 0.030–0.039 ms CPU per query at 32
 * threads and about 0.08 ms at 1 thread.
 */
function targetsParagraph(cells: readonly CellSummary[]): string {
  const pick = (threads: number) =>
    cells.find(
      (c) =>
        c.target === "sluice" &&
        c.workload === "read_only_notrx" &&
        c.psMode === "disable" &&
        c.threads === threads,
    )?.cpuMsPerQuery;
  const at32 = pick(32);
  const at1 = pick(1);
  if (at32 === undefined && at1 === undefined) return "";
  return (
    "Against the targets (text protocol, reads free to go to replicas = `read_only_notrx`, `ps=disable`): " +
    `Sluice used ${fmt(at32, 3)} ms CPU/query at 32 threads (ProxySQL 2.7: 0.030–0.039) and ${fmt(at1, 3)} ms at 1 thread (ProxySQL: ~0.08).`
  );
}

/** " (primary 40, replica1 20, …)" when the result has per-server figures (older ones do not) */
function byServer(c: BenchReport["connScale"][number]): string {
  const per = (c as { maxBackendConnectionsByServer?: Record<string, number> }).maxBackendConnectionsByServer;
  return per === undefined
    ? ""
    : ` (${Object.entries(per)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`;
}

function reproduceArgs(r: BenchReport): string {
  const o = r.options;
  const args = o.quick ? ["--quick"] : [];
  if (o.parts.length < 4) args.push("--only", o.parts.join(","));
  return args.length === 0 ? "" : ` -- ${args.join(" ")}`;
}

/** One line from a micro-bench's own JSON (each bench has its own shape; unknown ones are quoted). */
function microLine(result: unknown): string {
  const r = (result ?? {}) as Record<string, unknown>;
  const rows = r.results;
  if (Array.isArray(rows))
    return rows
      .map((x: Record<string, unknown>) => {
        const rate = x.framesPerCpuSecond ?? x.perCpuSecond ?? x.perSecond;
        const mb = x.mbPerCpuSecond === undefined ? "" : `, ${String(x.mbPerCpuSecond)} MB/cpu-s`;
        return `${String(x.name)} ${fmt(Number(rate))}/cpu-s${mb}`;
      })
      .join("; ");
  if (rows !== null && typeof rows === "object")
    // decide: { "<policy>": { rules, tree: { decisionsPerSecond }, firstMatch: { … } } }
    return Object.entries(rows as Record<string, Record<string, { decisionsPerSecond?: number } | number>>)
      .map(([name, v]) => {
        const tree = v.tree;
        const rate = typeof tree === "object" ? tree.decisionsPerSecond : undefined;
        return `${name} (${String(v.rules ?? "?")} rules) ${fmt(rate)} decisions/s`;
      })
      .join("; ");
  const endToEnd = r.endToEnd as
    | { statementsPerSecond?: number; statementsPerCpuSecond?: number }
    | undefined;
  if (endToEnd !== undefined)
    return `${fmt(endToEnd.statementsPerSecond)} statements/s end to end (${fmt(endToEnd.statementsPerCpuSecond)}/cpu-s)`;
  const s = JSON.stringify(result);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
