/**
 * The one entry point from source text to a compiled policy, shared by `sluice lint`,
 * `sluice test` and serve's hot reload: parse every file → resolve imports → check → compile.
 * Pure: the caller reads the files (see load.ts) and passes their text.
 */
import { posix } from "node:path";
import type { Item, PolicyFile } from "./ast.js";
import { checkPolicy } from "./check/check-policy.js";
import { buildBundle, type PolicyBundle } from "./compile/bundle.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics.js";
import type { CheckedPolicy } from "./ir.js";
import { parseFile } from "./syntax/parse-file.js";

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export type CompileResult =
  | { readonly kind: "ok"; readonly bundle: PolicyBundle; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: "error"; readonly diagnostics: readonly Diagnostic[] };

export interface Front {
  readonly files: readonly PolicyFile[];
  readonly items: readonly Item[];
  readonly policy: CheckedPolicy | undefined;
  readonly partial: CheckedPolicy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Path an import refers to, relative to the importing file. */
export function resolveImport(from: string, target: string): string {
  return posix.normalize(posix.join(posix.dirname(from), target));
}

/** Parse and check; `sources[0]` is the entry file, the others are what it (transitively) imports. */
export function checkSources(sources: readonly SourceFile[]): Front {
  const byPath = new Map(sources.map((s) => [posix.normalize(s.path), s]));
  const parsed = new Map<string, PolicyFile>();
  const diagnostics: Diagnostic[] = [];
  const order: PolicyFile[] = [];
  const items: Item[] = [];
  const visit = (path: string, stack: string[]): void => {
    const existing = parsed.get(path);
    if (existing) return;
    const source = byPath.get(path)!;
    const result = parseFile(source.path, source.text);
    diagnostics.push(...result.diagnostics);
    parsed.set(path, result.file);
    order.push(result.file);
    // a declaration the parser had to repair is left out: its syntax error says what is wrong,
    // and checking the repaired guess would only add confusing follow-on reports
    const broken = result.diagnostics.filter((d) => d.severity === "error").map((d) => d.span.start);
    const intact = result.file.items.filter(
      (item) => !broken.some((at) => at >= item.span.start && at < item.span.end + 1),
    );
    for (const item of intact) {
      if (item.kind !== "import") {
        items.push(item);
        continue;
      }
      const target = resolveImport(path, item.path.value);
      if (stack.includes(target) || target === path) {
        diagnostics.push({
          code: "SLU108",
          severity: "error",
          message: `import cycle: ${[...stack, path, target].map((p) => posix.basename(p)).join(" → ")}`,
          span: item.path.span,
          hint: "move what both files need into a third file that imports neither",
        });
      } else if (!byPath.has(target)) {
        diagnostics.push({
          code: "SLU107",
          severity: "error",
          message: `cannot find \`${item.path.value}\` (looked for ${target})`,
          span: item.path.span,
          hint: "import paths are relative to the importing file",
        });
      } else visit(target, [...stack, path]);
    }
  };
  const entry = sources[0];
  if (entry) visit(posix.normalize(entry.path), []);
  const checked = checkPolicy(order, items);
  diagnostics.push(...checked.diagnostics);
  return {
    files: order,
    items,
    policy: checked.policy,
    partial: checked.partial,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

export function compilePolicy(
  sources: readonly SourceFile[],
  options: { maxNodes?: number } = {},
): CompileResult {
  const front = checkSources(sources);
  if (front.policy === undefined || hasErrors(front.diagnostics))
    return { kind: "error", diagnostics: front.diagnostics };
  return { kind: "ok", bundle: buildBundle(front.policy, options), diagnostics: front.diagnostics };
}
