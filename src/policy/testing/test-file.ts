/**
 * Policy test files (`*.policy-test.yaml`): the policy under test, then cases, each a statement
 * with optional statements run before it and optional session facts, and the expected outcome.
 *
 *   policy: default.policy            # relative to this file
 *   tests:
 *     - name: FOUND_ROWS stays where the query ran
 *       before: ["SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 5"]
 *       session: { user: report, in_transaction: false }
 *       sql: SELECT FOUND_ROWS()
 *       expect: { rule: same_connection, route: stay }
 */
import { posix } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { SessionFacts } from "../session-facts.js";

export interface Expectation {
  readonly rule: string;
  readonly route?: string;
  readonly deny?: number | true;
  readonly respond?: "rows" | "expand";
  readonly rewrite?: string;
  readonly tags?: readonly string[];
}

export interface PolicyTestCase {
  readonly name: string;
  readonly sql: string;
  readonly before: readonly string[];
  readonly session: Partial<SessionFacts>;
  readonly expect: Expectation;
  readonly line: number;
}

export interface PolicyTestFile {
  readonly path: string;
  readonly policy: string;
  readonly cases: readonly PolicyTestCase[];
  readonly errors: readonly string[];
}

const SESSION_KEYS: Record<string, keyof SessionFacts> = {
  in_transaction: "inTransaction",
  read_only_transaction: "readOnlyTransaction",
  autocommit: "autocommit",
  user: "user",
  client_address: "clientAddress",
  schema: "schema",
  temporary_tables: "temporaryTables",
  pinned: "pinned",
  previous_pool: "previousPool",
};

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function parseTestFile(path: string, text: string): PolicyTestFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const errors = doc.errors.map((e) => `${path}:${e.linePos?.[0]?.line ?? 1}: ${e.message}`);
  const root: Json = doc.toJS();
  if (!isObject(root))
    return {
      path,
      policy: "",
      cases: [],
      errors: [...errors, `${path}: expected a mapping with policy and tests`],
    };
  const policyRel = typeof root.policy === "string" ? root.policy : "";
  if (!policyRel) errors.push(`${path}: missing \`policy: <file>\``);
  const testsNode = doc.get("tests");
  const lines = isSeq(testsNode)
    ? testsNode.items.map((item) => (isMap(item) && item.range ? lineCounter.linePos(item.range[0]).line : 1))
    : [];
  const rawTests = Array.isArray(root.tests) ? root.tests : [];
  if (!Array.isArray(root.tests)) errors.push(`${path}: missing \`tests:\` list`);
  const cases: PolicyTestCase[] = [];
  for (const [i, raw] of (rawTests as Json[]).entries()) {
    const line = lines[i] ?? 1;
    const where = `${path}:${line}`;
    if (!isObject(raw)) {
      errors.push(`${where}: a test is a mapping`);
      continue;
    }
    const name = typeof raw.name === "string" ? raw.name : `test ${i + 1}`;
    if (typeof raw.sql !== "string") {
      errors.push(`${where}: test \`${name}\` needs \`sql\``);
      continue;
    }
    const before = Array.isArray(raw.before)
      ? raw.before.filter((s): s is string => typeof s === "string")
      : [];
    const session: Record<string, Json> = {};
    if (raw.session !== undefined) {
      if (!isObject(raw.session)) errors.push(`${where}: \`session\` is a mapping`);
      else
        for (const [k, v] of Object.entries(raw.session)) {
          const field = SESSION_KEYS[k];
          if (field) session[field] = v;
          else
            errors.push(
              `${where}: unknown session fact \`${k}\` (known: ${Object.keys(SESSION_KEYS).join(", ")})`,
            );
        }
    }
    const e = raw.expect;
    if (!isObject(e) || typeof e.rule !== "string") {
      errors.push(`${where}: test \`${name}\` needs \`expect: { rule: … }\``);
      continue;
    }
    const expect: Expectation = {
      rule: e.rule,
      ...(typeof e.route === "string" ? { route: e.route } : {}),
      ...(e.deny === true || typeof e.deny === "number" ? { deny: e.deny } : {}),
      ...(e.respond === "rows" || e.respond === "expand" ? { respond: e.respond } : {}),
      ...(typeof e.rewrite === "string" ? { rewrite: e.rewrite } : {}),
      ...(Array.isArray(e.tags) ? { tags: e.tags.map(String) } : {}),
    };
    cases.push({ name, sql: raw.sql, before, session: session as Partial<SessionFacts>, expect, line });
  }
  return {
    path,
    policy: policyRel ? posix.normalize(posix.join(posix.dirname(path), policyRel)) : "",
    cases,
    errors,
  };
}
