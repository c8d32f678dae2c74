/** Runs policy test cases against a compiled bundle (pure: the classifier is passed in). */
import type { Facts } from "../../classifier/facts.js";
import type { PolicyBundle } from "../compile/bundle.js";
import { type Decision, decide, loadTree } from "../compile/decide.js";
import { explain, renderExplanation } from "../compile/explain.js";
import { BASE_SESSION } from "../domain/base-input.js";
import type { Action } from "../ir.js";
import type { SessionFacts } from "../session-facts.js";
import { stepSession } from "./session-step.js";
import type { Expectation, PolicyTestCase } from "./test-file.js";

export type Classify = (sql: string) => Facts;

export interface CaseResult {
  readonly test: PolicyTestCase;
  readonly passed: boolean;
  readonly got: string;
  readonly expected: string;
  /** the explanation: path taken and why earlier rules did not match */
  readonly why: string;
  readonly rule: string;
}

export interface RunResult {
  readonly results: readonly CaseResult[];
  /** names of rules no case reached */
  readonly uncovered: readonly string[];
}

export function runPolicyTests(
  bundle: PolicyBundle,
  cases: readonly PolicyTestCase[],
  classify: Classify,
): RunResult {
  const tree = loadTree(bundle.tree, bundle.policy);
  const hit = new Set<string>();
  const results = cases.map((test): CaseResult => {
    let session: SessionFacts = { ...BASE_SESSION, ...test.session };
    for (const sql of test.before) {
      const facts = classify(sql);
      session = stepSession(session, facts, decide(tree, { facts, session }));
    }
    const facts = classify(test.sql);
    const input = { facts, session };
    const decision = decide(tree, input);
    hit.add(decision.rule);
    const got = describeDecision(decision, test.sql);
    const expected = describeExpectation(test.expect);
    const passed = matches(decision, test.expect, test.sql);
    const why = renderExplanation(explain(tree, bundle.policy, input, bundle.tree.dims));
    return { test, passed, got, expected, why, rule: decision.rule };
  });
  const names = [...bundle.policy.rules.map((r) => r.name), "default"];
  return { results, uncovered: names.filter((n) => !hit.has(n)) };
}

function matches(d: Decision, e: Expectation, sql: string): boolean {
  if (d.rule !== e.rule) return false;
  const a = d.action;
  if (e.route !== undefined && !(a.kind === "route" && targetName(a.target) === e.route)) return false;
  if (e.deny !== undefined && !(a.kind === "deny" && (e.deny === true || a.code === e.deny))) return false;
  if (e.respond !== undefined && !(a.kind === "respond" && a.response.kind === e.respond)) return false;
  if (e.rewrite !== undefined && !(a.kind === "rewrite" && rewritten(a, sql) === e.rewrite)) return false;
  if (e.tags !== undefined && JSON.stringify([...a.tags].sort()) !== JSON.stringify([...e.tags].sort()))
    return false;
  return true;
}

function targetName(t: { kind: "stay" } | { kind: "pool"; pool: string }): string {
  return t.kind === "stay" ? "stay" : t.pool;
}

/** Regex rewrites replace every match; digest rewrites are shown as their replacement template. */
export function rewritten(a: Extract<Action, { kind: "rewrite" }>, sql: string): string {
  if (a.rewrite.kind === "regex")
    return sql.replace(new RegExp(a.rewrite.source, `${a.rewrite.flags}g`), a.rewrite.replacement);
  return a.rewrite.replacement;
}

function describeAction(a: Action, sql: string): string {
  const tags = a.tags.length > 0 ? ` tag ${a.tags.join(", ")}` : "";
  switch (a.kind) {
    case "route":
      return `route ${targetName(a.target)}${tags}`;
    case "deny":
      return `deny ${a.code} (${a.message})${tags}`;
    case "rewrite":
      return `rewrite to ${JSON.stringify(rewritten(a, sql))} then route ${targetName(a.target)}${tags}`;
    case "respond":
      return `respond ${a.response.kind}${tags}`;
  }
}

function describeDecision(d: Decision, sql: string): string {
  return `rule \`${d.rule}\`: ${describeAction(d.action, sql)}`;
}

function describeExpectation(e: Expectation): string {
  const parts = [
    e.route !== undefined ? `route ${e.route}` : "",
    e.deny !== undefined ? `deny${e.deny === true ? "" : ` ${e.deny}`}` : "",
    e.respond !== undefined ? `respond ${e.respond}` : "",
    e.rewrite !== undefined ? `rewrite to ${JSON.stringify(e.rewrite)}` : "",
    e.tags !== undefined ? `tag ${e.tags.join(", ")}` : "",
  ].filter(Boolean);
  return `rule \`${e.rule}\`${parts.length ? `: ${parts.join(", ")}` : ""}`;
}
