import { readFile } from "node:fs/promises";
import { renderText } from "../cli/render/text.js";
import type { PolicyBundle } from "../policy/compile/bundle.js";
import { loadTree, type RuntimeTree } from "../policy/compile/decide.js";
import type { PoolSpec } from "../policy/ir.js";
import { loadPolicySources } from "../policy/load.js";
import { compilePolicy, type SourceFile } from "../policy/pipeline.js";

/**
 * The policy serving right now: compiled once, immutable, swapped as one reference on reload, so
 * every statement is decided under exactly one version.
 */
export interface ActivePolicy {
  /** increases by one per successful load in this process */
  readonly generation: number;
  /** first 12 hex digits of the bundle's content hash: what logs, admin and metrics show */
  readonly version: string;
  readonly hash: string;
  readonly files: readonly string[];
  readonly loadedAt: number;
  readonly bundle: PolicyBundle;
  readonly tree: RuntimeTree;
  readonly pools: ReadonlyMap<string, PoolSpec>;
  /** the entry file's text, for SHOW POLICY */
  readonly source: string;
  /** every file compiled (entry first): what the primary process sends its workers */
  readonly sources: readonly SourceFile[];
}

export type PolicyLoad =
  | { readonly kind: "ok"; readonly policy: ActivePolicy; readonly warnings: string }
  | { readonly kind: "error"; readonly report: string };

/**
 * Reads, checks and compiles the policy: the same pipeline `sluice lint` runs, so what lint
 * accepts is exactly what serve and reload accept. The config lists one entry file; other files
 * come in through its `import`s.
 */
export async function loadActivePolicy(files: readonly string[], generation: number): Promise<PolicyLoad> {
  const entry = files[0];
  if (entry === undefined)
    return { kind: "error", report: "no policy file configured (policy.files is empty)" };
  if (files.length > 1) {
    return {
      kind: "error",
      report: `policy.files lists ${files.length} files; list the entry policy only and \`import\` the others from it`,
    };
  }
  try {
    await readFile(entry, "utf8");
  } catch (error) {
    return { kind: "error", report: `cannot read policy ${entry}: ${(error as Error).message}` };
  }
  return compileActivePolicy(await loadPolicySources(entry), generation);
}

/**
 * Checks and compiles policy texts already read: workers of `sluice serve --workers N` compile
 * exactly the texts the primary process checked, never the files again (they may have changed).
 */
export function compileActivePolicy(sources: readonly SourceFile[], generation: number): PolicyLoad {
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  const result = compilePolicy(sources);
  if (result.kind === "error") return { kind: "error", report: renderText(result.diagnostics, texts) };
  const { bundle } = result;
  const policy: ActivePolicy = {
    generation,
    version: bundle.hash.slice(0, 12),
    hash: bundle.hash,
    files: sources.map((s) => s.path),
    loadedAt: Date.now(),
    bundle,
    tree: loadTree(bundle.tree, bundle.policy),
    pools: new Map(bundle.policy.pools.map((p) => [p.name, p])),
    source: sources[0]?.text ?? "",
    sources,
  };
  return {
    kind: "ok",
    policy,
    warnings: result.diagnostics.length > 0 ? renderText(result.diagnostics, texts) : "",
  };
}
