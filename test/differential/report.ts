import type { Answer } from "./answer.js";
import type { CampaignResult } from "./campaign.js";
import { category, type Mismatch, statusDifference } from "./compare.js";
import type { PairResult } from "./pair.js";
import type { Shrunk } from "./shrink.js";

/** The summary of a campaign: counts, mismatches by category, Sluice's 1105s, minimal scripts. */
export function formatCampaign(title: string, r: CampaignResult): string {
  const lines = [
    `== ${title}`,
    `sessions ${r.sessions}, statements ${r.statements}, failing sessions ${r.failures.length}, ` +
      `mismatching answers ${sum(r.mismatches)}, ${Math.round(r.ms / 1000)} s`,
  ];
  if (r.failures.length > 0) {
    lines.push("failing sessions by their first mismatch:");
    const first = new Map<string, number>();
    for (const f of r.failures) first.set(f.category, (first.get(f.category) ?? 0) + 1);
    lines.push(...sorted(first).map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`));
    lines.push("all mismatches by category:");
    lines.push(...sorted(r.mismatches).map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`));
  }
  if (r.errors1105.size > 0) {
    lines.push(`errors 1105 from Sluice (${sum(r.errors1105)}):`);
    lines.push(...sorted(r.errors1105).map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`));
  }
  for (const s of r.shrunk) lines.push("", formatShrunk(s));
  return lines.join("\n");
}

export function formatShrunk(s: Shrunk): string {
  const how = s.reproduced ? `shrunk ${s.shrinks} times` : "did not fail again when rerun: as first seen";
  return [`-- ${s.category} (session ${s.index}, ${how})`, formatRun(s.result)].join("\n");
}

/** A script, one statement a line, each mismatching answer under its statement. */
export function formatRun(r: PairResult): string {
  const lines: string[] = [];
  r.script.forEach((step, i) => {
    const label = `${String(i + 1).padStart(3)}. [${step.kind}]`;
    if ("pauseMs" in step) {
      lines.push(`${label} (pause ${step.pauseMs} ms)`);
      return;
    }
    const binary =
      step.binary === undefined ? "" : `  -- binary protocol, parameters ${JSON.stringify(step.binary)}`;
    lines.push(`${label} ${step.sql}${binary}`);
    const here = r.mismatches.filter((m) => m.step === i);
    if (here.length > 0) {
      lines.push(`       direct: ${brief(r.want[i])}`);
      lines.push(`       sluice: ${brief(r.got[i])}`);
      for (const m of here) lines.push(`       differs: ${describe(m)}`);
    }
  });
  for (const m of r.mismatches.filter((x) => x.step === -1)) {
    lines.push(`     final rows differ:\n       direct: ${json(m.want)}\n       sluice: ${json(m.got)}`);
  }
  return lines.join("\n");
}

function describe(m: Mismatch): string {
  if (m.field === "status" && typeof m.want === "number" && typeof m.got === "number") {
    return `status ${m.want} -> ${m.got} (${statusDifference(m.want, m.got)})`;
  }
  return category(m);
}

function brief(a: Answer | null | undefined): string {
  if (a == null) return "-";
  if ("error" in a) return `ERROR ${a.error.errno}: ${a.error.message}`;
  if ("columns" in a) return `${json(a.columns.map((c) => `${c.name}:${c.type}`))} ${json(a.rows)}`;
  return `OK ${json(a.ok)}`;
}

function json(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function sum(m: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const v of m.values()) total += v;
  return total;
}

function sorted(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
