/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per function
 * (the sample's leaf), inclusive time per function (anywhere on the sampled stack) and self time
 * per source file. Used by bench/profile/profile-sluice.ts; also a CLI:
 *
 *   node --import tsx bench/profile/cpuprofile-summary.ts <file.cpuprofile> [--top 25]
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_DIR } from "../lib/results.js";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** time not spent idle (the "(idle)" pseudo-function excluded) */
  readonly busyMs: number;
  readonly topSelf: readonly FunctionTime[];
  readonly topInclusive: readonly FunctionTime[];
  readonly byFile: readonly FunctionTime[];
  /**
   * Self time charged to the nearest project function (src/) on the stack: where Node and
   * native time (socket writes, buffers, promises) is spent on behalf of Sluice's own code.
   */
  readonly byProjectCaller: readonly FunctionTime[];
}

/** Repo-relative path; the bench's compiled copy (bench/.build/dist/x.js) is shown as src/x.js. */
function repoPath(url: string): string {
  const path = url.startsWith("file://") ? relative(REPO_DIR, fileURLToPath(url)) : url;
  return path.replace(/^bench\/\.build\/dist\//, "src/");
}

function where(frame: CallFrame): string {
  if (frame.url === "") return "(native)";
  return `${repoPath(frame.url)}:${frame.lineNumber + 1}`;
}

function fileOf(frame: CallFrame): string {
  if (frame.url === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  if (frame.url.startsWith("node:")) return frame.url;
  const path = repoPath(frame.url);
  // dependencies count as one entry each
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return nm === null ? path : `node_modules/${nm[1]}`;
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (f: CallFrame) => `${f.functionName || "(anonymous)"}\u0000${where(f)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  const callers = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    if (node === undefined) return;
    if (node.callFrame.functionName === "(idle)") {
      idle += dt;
      return;
    }
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const file = fileOf(node.callFrame);
    files.set(file, (files.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    let charged = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n === undefined) break;
      const kk = key(n.callFrame);
      if (!charged && fileOf(n.callFrame).startsWith("src/")) {
        charged = true;
        callers.set(kk, (callers.get(kk) ?? 0) + dt);
      }
      if (seen.has(kk)) continue;
      seen.add(kk);
      inclusive.set(kk, (inclusive.get(kk) ?? 0) + dt);
    }
  });
  const busy = total - idle;
  const list = (m: Map<string, number>, skipRoots: boolean): FunctionTime[] =>
    [...m]
      .filter(([k]) => !skipRoots || !/^\((root|program|garbage collector)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => {
        const [name = "", at = ""] = k.split("\u0000");
        return {
          name,
          where: at,
          ms: Math.round(ms),
          percent: busy === 0 ? 0 : Math.round((ms / busy) * 1000) / 10,
        };
      });
  return {
    totalMs: Math.round(total),
    busyMs: Math.round(busy),
    topSelf: list(self, false),
    topInclusive: list(inclusive, true),
    byFile: [...files]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, ms]) => ({
        name: file,
        where: "",
        ms: Math.round(ms),
        percent: busy === 0 ? 0 : Math.round((ms / busy) * 1000) / 10,
      })),
    byProjectCaller: list(callers, false),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
}

export function renderSummary(s: ProfileSummary, top = 15): string {
  const table = (title: string, rows: readonly FunctionTime[]) =>
    [
      `${title}`,
      ...rows
        .slice(0, top)
        .map(
          (r) => `  ${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}  ${r.where}`,
        ),
    ].join("\n");
  return [
    `busy ${s.busyMs} ms of ${s.totalMs} ms sampled`,
    table("self time by function:", s.topSelf),
    table("self time by file:", s.byFile),
    table("self time charged to the nearest src/ function:", s.byProjectCaller),
    table("inclusive time by function:", s.topInclusive),
  ].join("\n\n");
}

if (process.argv[1] !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write("usage: cpuprofile-summary.ts <file.cpuprofile> [--top N]\n");
    process.exit(2);
  }
  const i = process.argv.indexOf("--top");
  const top = i >= 0 ? Number(process.argv[i + 1] ?? 25) : 25;
  process.stdout.write(`${renderSummary(summariseProfile(readProfile(file), top), top)}\n`);
}
