/** Stage 4: the whole policy (all files, imports flattened) → CheckedPolicy plus diagnostics. */
import type { Item, PolicyFile, Span } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Action, CheckedPolicy, CheckedRule, PoolSpec } from "../ir.js";
import { lowerAction } from "./actions.js";
import { lowerCondition } from "./conditions.js";
import { checkFallbacks, checkPool } from "./pools.js";

export const SUPPORTED_VERSION = 1;
const RESERVED_POOL_NAMES = new Set(["stay", "error"]);

export interface CheckResult {
  /** present only when there are no errors */
  readonly policy: CheckedPolicy | undefined;
  /** best effort even with errors: rules that had errors left out, a deny default if none was
   *  given; lets lint's analyses report on the rest of a broken policy in the same run */
  readonly partial: CheckedPolicy;
  readonly diagnostics: Diagnostic[];
}

export function checkPolicy(files: readonly PolicyFile[], items: readonly Item[]): CheckResult {
  const diagnostics: Diagnostic[] = [];
  for (const file of files) checkVersion(file, diagnostics);

  const poolItems = items.filter((i): i is Extract<Item, { kind: "pool" }> => i.kind === "pool");
  const pools: PoolSpec[] = [];
  const poolNames: string[] = [];
  const firstPool = new Map<string, Span>();
  for (const item of poolItems) {
    const name = item.name.text;
    const first = firstPool.get(name);
    if (first) {
      diagnostics.push({
        code: "SLU103",
        severity: "error",
        message: `pool \`${name}\` is declared twice`,
        span: item.name.span,
        hint: "rename one of them or merge their properties",
        related: [{ span: first, message: "first declared here" }],
      });
      continue;
    }
    firstPool.set(name, item.name.span);
    poolNames.push(name);
    if (RESERVED_POOL_NAMES.has(name)) {
      diagnostics.push({
        code: "SLU213",
        severity: "error",
        message: `\`${name}\` cannot name a pool`,
        span: item.name.span,
        hint: "`stay` and `error` are words of the language (route stay, fallback = error); pick another name",
      });
    }
    const spec = checkPool(item, diagnostics);
    if (spec) pools.push(spec);
  }
  checkFallbacks(pools, poolItems, diagnostics);

  const rules: CheckedRule[] = [];
  const firstRule = new Map<string, Span>();
  let defaultAction: Action | undefined;
  let defaultSpan: Span | undefined;
  let ok = true;
  for (const item of items) {
    if (item.kind === "rule") {
      const name = item.name.text;
      const first = firstRule.get(name);
      if (first) {
        diagnostics.push({
          code: "SLU104",
          severity: "error",
          message: `rule \`${name}\` is declared twice`,
          span: item.name.span,
          hint: "rule names identify rules in tests, logs and lint output: make them unique",
          related: [{ span: first, message: "first declared here" }],
        });
      } else firstRule.set(name, item.name.span);
      const before = diagnostics.length;
      const condition = lowerCondition(item.condition, { poolNames, diagnostics });
      const action = lowerAction(item.action, poolNames, diagnostics);
      if (action && diagnostics.length === before && !first)
        rules.push({ name, index: rules.length, condition, action, span: item.name.span });
      else ok = false;
    } else if (item.kind === "default") {
      if (defaultSpan) {
        diagnostics.push({
          code: "SLU106",
          severity: "error",
          message: "the policy has more than one default",
          span: item.span,
          hint: "keep one `default -> …`; it applies when no rule matches",
          related: [{ span: defaultSpan, message: "first default here" }],
        });
        continue;
      }
      defaultSpan = item.span;
      defaultAction = lowerAction(item.action, poolNames, diagnostics);
      if (!defaultAction) ok = false;
    }
  }
  const entry = files[0];
  if (defaultSpan === undefined && entry) {
    const end = entry.items.at(-1)?.span ?? {
      file: entry.path,
      start: 0,
      end: 1,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 2,
    };
    diagnostics.push({
      code: "SLU105",
      severity: "error",
      message: "the policy has no default",
      span: end,
      hint: "end the policy with `default -> route <pool>` so every statement has a destination",
    });
  }
  const hasError = diagnostics.some((d) => d.severity === "error");
  const partial: CheckedPolicy = {
    files: files.map((f) => f.path),
    pools,
    rules,
    defaultAction: defaultAction ?? {
      kind: "deny",
      code: 1105,
      sqlstate: "HY000",
      message: "no default",
      tags: [],
      log: null,
    },
    defaultSpan: defaultSpan ??
      rules.at(-1)?.span ?? {
        file: entry?.path ?? "",
        start: 0,
        end: 1,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 2,
      },
  };
  const complete = !hasError && ok && defaultAction !== undefined && defaultSpan !== undefined;
  return { policy: complete ? partial : undefined, partial, diagnostics };
}

function checkVersion(file: PolicyFile, diagnostics: Diagnostic[]): void {
  if (file.version === null) {
    diagnostics.push({
      code: "SLU101",
      severity: "warning",
      message: "the file has no version header",
      span: { file: file.path, start: 0, end: 1, line: 1, column: 1, endLine: 1, endColumn: 2 },
      hint: `start the file with \`version ${SUPPORTED_VERSION}\` so later language versions can read it safely`,
    });
  } else if (file.version.value !== SUPPORTED_VERSION) {
    diagnostics.push({
      code: "SLU102",
      severity: "error",
      message: `policy language version ${file.version.text} is not supported`,
      span: file.version.span,
      hint: `this Sluice reads version ${SUPPORTED_VERSION}`,
    });
  }
}
