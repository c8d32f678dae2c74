/**
 * The dry-run shell: loads the policies, streams each log through its reader, the simulation and
 * the report, writes the decisions file, and says how it went. `sluice dry-run` is a thin
 * argument parser around `runDryRun`, which tests call in-process.
 */
import { once } from "node:events";
import { createWriteStream, statSync } from "node:fs";
import type { Writable } from "node:stream";
import { classify } from "../classifier/classify.js";
import type { PolicyBundle } from "../policy/compile/bundle.js";
import type { Diagnostic } from "../policy/diagnostics.js";
import { loadPolicySources } from "../policy/load.js";
import { compilePolicy } from "../policy/pipeline.js";
import { type Decider, routingDecider } from "./decider.js";
import { decisionLine } from "./decision-record.js";
import { type FailCondition, failures } from "./fail-on.js";
import type { InputFormat, TimeRange } from "./log-event.js";
import { ProgressBar, type ProgressSink } from "./progress.js";
import { readLog } from "./readers/read-log.js";
import { renderText } from "./render-text.js";
import { type InputInfo, type PolicyInfo, ReportBuilder, type Summary } from "./report.js";
import { ShapeCache } from "./shape-cache.js";
import { Simulation, type SimulationCounts } from "./simulate.js";
import { type DryRunServer, dryRunTopology } from "./topology.js";

export interface LoadedPolicy {
  readonly file: string;
  readonly bundle: PolicyBundle;
}

export interface DryRunOptions {
  readonly policy: LoadedPolicy;
  /** the baseline to compare with (`--diff`) */
  readonly diff?: LoadedPolicy;
  readonly logs: readonly string[];
  readonly format?: InputFormat;
  /** decisions as JSON lines to this file (`-`: stdout) */
  readonly output?: string;
  readonly json?: boolean;
  readonly failOn?: readonly FailCondition[];
  readonly top?: number;
  readonly servers?: readonly DryRunServer[];
  readonly defaultUser?: string;
  readonly defaultSchema?: string;
}

export interface DryRunIo {
  readonly stdout: Writable;
  readonly stderr: ProgressSink;
}

export interface DryRunResult {
  readonly exitCode: number;
  readonly summary: Summary | null;
}

/** Exit codes: 0 fine, 1 a --fail-on condition holds, 2 the run could not be done. */
export async function runDryRun(options: DryRunOptions, io: DryRunIo): Promise<DryRunResult> {
  const fail = (message: string): DryRunResult => {
    io.stderr.write(`sluice dry-run: ${message}\n`);
    return { exitCode: 2, summary: null };
  };
  const topology = dryRunTopology(options.servers);
  const deciders: Decider[] = [routingDecider(options.policy.bundle, topology)];
  if (options.diff !== undefined) deciders.push(routingDecider(options.diff.bundle, topology));
  const report = new ReportBuilder(
    policyInfo(options.policy),
    options.diff ? policyInfo(options.diff) : null,
  );

  let totalBytes = 0;
  for (const path of options.logs) {
    if (path === "-") continue;
    try {
      totalBytes += statSync(path).size;
    } catch (error) {
      return fail(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const progress = new ProgressBar(io.stderr, totalBytes);
  const toStdout = options.output === "-";
  const out: Writable | null =
    options.output === undefined ? null : toStdout ? io.stdout : createWriteStream(options.output);

  const inputs: InputInfo[] = [];
  const counts: SimulationCounts = { sessions: 0, sessionsWithoutConnect: 0, prepares: 0, invalid: 0 };
  // logs repeat a few shapes with different literals: classify each shape once
  const classifier = new ShapeCache((sql) => classify(sql, { mariadb: true }));
  let bytesBefore = 0;
  let statements = 0;
  try {
    for (const path of options.logs) {
      const simulation = new Simulation(deciders, (sql) => classifier.classifyText(sql), {
        ...(options.defaultUser === undefined ? {} : { defaultUser: options.defaultUser }),
        ...(options.defaultSchema === undefined ? {} : { defaultSchema: options.defaultSchema }),
      });
      let format: InputFormat = options.format ?? "sql";
      let timeRange: TimeRange | null = null;
      let bytes = 0;
      for await (const batch of readLog(path, {
        ...(options.format === undefined ? {} : { format: options.format }),
        onFormat: (f) => (format = f),
        onTimeRange: (r) => (timeRange = r),
        onBytes: (b) => (bytes = b),
      })) {
        const lines: string[] = [];
        for (const event of batch) {
          const record = simulation.step(event);
          if (record === null) continue;
          statements++;
          report.add(record);
          if (out !== null) lines.push(JSON.stringify(decisionLine(path, record)));
        }
        if (out !== null && lines.length > 0 && !out.write(`${lines.join("\n")}\n`)) await once(out, "drain");
        progress.update(bytesBefore + bytes, statements);
      }
      bytesBefore += bytes;
      inputs.push({ path, format, ...(timeRange === null ? {} : { timeRange }) });
      for (const key of Object.keys(counts) as (keyof SimulationCounts)[])
        counts[key] += simulation.counts[key];
    }
  } catch (error) {
    progress.done();
    return fail(describeReadError(error));
  } finally {
    if (out !== null && !toStdout) {
      out.end();
      await once(out, "close").catch(() => {});
    }
  }
  progress.done();

  const summary = report.build(inputs, counts, options.top ?? 5);
  const rendered = options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderText(summary);
  // with decisions on stdout, the summary moves to stderr so the JSON lines stay parseable
  if (toStdout) io.stderr.write(rendered);
  else io.stdout.write(rendered);

  const failed = failures(summary, options.failOn ?? []);
  for (const f of failed)
    io.stderr.write(`sluice dry-run: --fail-on ${f.condition}: ${f.count} statement(s)\n`);
  return { exitCode: failed.length > 0 ? 1 : 0, summary };
}

export type PolicyLoad =
  | { readonly kind: "ok"; readonly policy: LoadedPolicy }
  | {
      readonly kind: "error";
      readonly diagnostics: readonly Diagnostic[];
      readonly sources: ReadonlyMap<string, string>;
    }
  | { readonly kind: "unreadable" };

/** Reads a policy with its imports and compiles it through the policy pipeline. */
export async function loadPolicy(file: string): Promise<PolicyLoad> {
  const sources = await loadPolicySources(file);
  if (sources.length === 0) return { kind: "unreadable" };
  const result = compilePolicy(sources);
  if (result.kind === "error") {
    return {
      kind: "error",
      diagnostics: result.diagnostics,
      sources: new Map(sources.map((s) => [s.path, s.text])),
    };
  }
  return { kind: "ok", policy: { file, bundle: result.bundle } };
}

function policyInfo({ file, bundle }: LoadedPolicy): PolicyInfo {
  return {
    file,
    hash: bundle.hash,
    pools: bundle.policy.pools.map((p) => ({
      name: p.name,
      role: p.select.kind === "role" ? p.select.role : "any",
    })),
    rules: bundle.policy.rules.map((r) => r.name),
  };
}

function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return `no such file: ${e.path ?? ""}`;
  if (e.code === "Z_DATA_ERROR" || e.code === "Z_BUF_ERROR")
    return `a gzip input is corrupt or truncated (${e.message})`;
  return e.message ?? String(error);
}
