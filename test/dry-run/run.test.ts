import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFailOn } from "../../src/dry-run/fail-on.js";
import { type DryRunOptions, runDryRun } from "../../src/dry-run/run.js";
import { collect, FIXTURES, tempFile } from "./support/collect.js";
import { PRIMARY_ONLY_POLICY, policyFromText, RECKLESS_POLICY, SPLIT_POLICY } from "./support/policy.js";

class Capture extends Writable {
  text = "";
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function dryRun(options: Omit<DryRunOptions, "policy"> & { policy?: string }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const result = await runDryRun(
    { ...options, policy: policyFromText(options.policy ?? SPLIT_POLICY, "split.policy") },
    { stdout, stderr },
  );
  return { ...result, stdout: stdout.text, stderr: stderr.text };
}

const general = `${FIXTURES}mariadb-general.log`;

describe("dry-run end to end (in-process)", () => {
  it("summarises a real general log: counts add up over pools and over rules", async () => {
    const r = await dryRun({ logs: [general], json: true });
    expect(r.exitCode).toBe(0);
    const s = JSON.parse(r.stdout);
    const events = await collect(general);
    expect(s.statements).toBe(events.filter((e) => e.kind === "query" || e.kind === "execute").length);
    expect(s.pools.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(s.statements);
    expect(s.rules.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(s.statements);
    expect(s.inputs).toEqual([
      { path: general, format: "general", timeRange: { first: "261121 16:39:49", last: "261121 16:39:49" } },
    ]);
    expect(s.readsToReplicas).toBeGreaterThan(0);
    expect(s.readsToReplicas).toBeLessThanOrEqual(s.reads);
    expect(s.safety.writesToReplica).toBe(0);
    expect(s.diff).toBeNull();
    // each rule lists the statements that hit it most; they add up to no more than its count
    for (const rule of s.rules) {
      const listed = rule.topDigests.reduce((n: number, d: { count: number }) => n + d.count, 0);
      expect(listed).toBeLessThanOrEqual(rule.count);
      if (rule.count > 0) expect(rule.topDigests[0].example).toEqual(expect.any(String));
    }
    const reads = s.rules.find((r: { rule: string }) => r.rule === "reads");
    expect(reads.topDigests[0].digest).toMatch(/^SELECT/);
  });

  it("writes one decision per statement with target, role, rule, thread and line", async () => {
    const out = tempFile("decisions.jsonl", "");
    const r = await dryRun({ logs: [general], output: out });
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(r.summary!.statements);
    const forUpdate = lines.find((d) => d.sql.endsWith("FOR UPDATE"));
    expect(forUpdate).toMatchObject({
      target: "primary",
      role: "primary",
      thread: "8",
      file: general,
      kind: "select",
      in_transaction: true,
    });
    const text = readFileSync(general, "utf8").split("\n");
    for (const d of lines) expect(text[d.line - 1]).toContain(d.sql.split("\n")[0]);
    // the text summary still goes to stdout
    expect(r.stdout).toMatch(/^per pool$/m);
  });

  it("diffs against itself to nothing, and against primary-only lists the reads that move", async () => {
    const same = await dryRun({
      logs: [general],
      json: true,
      diff: policyFromText(SPLIT_POLICY, "again.policy"),
    });
    expect(JSON.parse(same.stdout).diff).toMatchObject({ changed: 0, matrix: [], digests: [] });
    const r = await dryRun({
      logs: [general],
      json: true,
      diff: policyFromText(PRIMARY_ONLY_POLICY, "old.policy"),
    });
    const s = JSON.parse(r.stdout);
    const toReplicas = s.pools.find((p: { pool: string }) => p.pool === "replicas").count;
    expect(s.diff.changed).toBe(toReplicas);
    expect(s.diff.matrix).toEqual([{ from: "primary", to: "replicas", count: toReplicas }]);
    expect(s.diff.digests.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBe(toReplicas);
    expect(s.diff.digests[0]).toMatchObject({ from: "primary", to: "replicas" });
  });

  it("fails CI on the conditions asked for, and only on those", async () => {
    const ok = parseFailOn("write-to-replica,deny,unparsed");
    if (ok.kind !== "ok") throw new Error(ok.message);
    const safe = await dryRun({ logs: [general], failOn: ok.conditions });
    expect(safe.exitCode).toBe(0);
    const reckless = await dryRun({ logs: [general], failOn: ok.conditions, policy: RECKLESS_POLICY });
    expect(reckless.exitCode).toBe(1);
    expect(reckless.stderr).toMatch(/--fail-on write-to-replica: \d+ statement/);
    expect(reckless.stderr).toMatch(/--fail-on deny: \d+ statement/);
    expect(reckless.summary!.denied).toBeGreaterThan(0);
    // routing's safety net moved the policy's replica-bound writes to the primary
    expect(reckless.summary!.safety.overridden).toBeGreaterThan(0);
    expect(parseFailOn("writes-to-replica")).toMatchObject({
      kind: "error",
      message: expect.stringContaining("write-to-replica"),
    });
  });

  it("exposes a policy that forgets autocommit=0: the write lands in a transaction on a replica", async () => {
    const log = tempFile(
      "autocommit.jsonl",
      [
        "SET autocommit = 0",
        "SELECT qty FROM stock WHERE id = 1",
        "UPDATE stock SET qty = qty - 1 WHERE id = 1",
        "COMMIT",
      ]
        .map((sql) => JSON.stringify({ sql }))
        .join("\n"),
    );
    const out = tempFile("d.jsonl", "");
    const r = await dryRun({ logs: [log], output: out, failOn: ["refused"] });
    const actions = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .map((d) => [d.action, d.server]);
    expect(actions).toEqual([
      ["route", "primary"],
      ["route", "replica1"], // opens the transaction, on a replica
      ["refused", null], // the server would answer: cannot execute in a READ ONLY transaction
      ["route", "replica1"],
    ]);
    expect(r.summary!.safety.refused).toBe(1);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("--fail-on refused: 1 statement");
  });

  it("reads a gzipped log, a slow log and JSON lines, detecting each format", async () => {
    const jsonl = tempFile(
      "s.jsonl",
      '{"sql":"SELECT * FROM t","thread":1}\n{"sql":"BEGIN","thread":1}\n{"sql":"SELECT * FROM t","thread":1}\nnope\n',
    );
    const r = await dryRun({ logs: [`${general}.gz`, `${FIXTURES}mariadb-slow.log`, jsonl], json: true });
    const s = JSON.parse(r.stdout);
    expect(s.inputs.map((i: { format: string }) => i.format)).toEqual(["general", "slow", "jsonl"]);
    expect(s.invalidLines).toBe(1);
    const plain = JSON.parse((await dryRun({ logs: [general], json: true })).stdout);
    const slow = JSON.parse((await dryRun({ logs: [`${FIXTURES}mariadb-slow.log`], json: true })).stdout);
    expect(s.statements).toBe(plain.statements + slow.statements + 3);
  });

  it("says which input it cannot read and exits 2", async () => {
    const r = await dryRun({ logs: ["/nonexistent/general.log"] });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("/nonexistent/general.log");
  });

  it("per-rule counts always sum to the statements, for any mix of statements (P17)", async () => {
    const statement = fc.constantFrom(
      "SELECT * FROM t",
      "BEGIN",
      "COMMIT",
      "UPDATE t SET a = 1",
      "SET autocommit = 0",
      "SELECT * FROM t FOR UPDATE",
      "CREATE TEMPORARY TABLE x (a INT)",
      "SELECT FOUND_ROWS()",
      "USE other",
      "gibberish that is not sql",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), statement), { maxLength: 40 }),
        async (list) => {
          const jsonl = tempFile(
            "p.jsonl",
            list.map(([thread, sql]) => JSON.stringify({ thread, sql })).join("\n"),
          );
          const s = (await dryRun({ logs: [jsonl], json: true })).summary!;
          expect(s.statements).toBe(list.length);
          expect(s.rules.reduce((n, r) => n + r.count, 0)).toBe(list.length);
          expect(s.pools.reduce((n, p) => n + p.count, 0)).toBe(list.length);
        },
      ),
      { numRuns: 25 },
    );
  });
});
