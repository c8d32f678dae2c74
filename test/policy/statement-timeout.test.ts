import { describe, expect, it } from "vitest";
import { renderText } from "../../src/cli/render/text.js";
import { formatPolicy } from "../../src/policy/format/format.js";
import type { Action, PoolSpec } from "../../src/policy/ir.js";
import { parseFile } from "../../src/policy/syntax/parse-file.js";
import { statementTimeoutMs } from "../../src/routing/statement-timeout.js";
import { compileOk, diagnose, POOLS } from "./support/compile.js";

const withPools = (pools: string, rules: string) =>
  `version 1\n${pools}\n${rules}\ndefault -> route primary\n`;

const TIMED_POOLS = `pool primary {
  role = primary
}
pool replicas {
  role = replica
  statement_timeout = 30s
  fallback = primary
}
pool reports {
  role = replica
  statement_timeout = none
}`;

describe("statement timeouts in the policy language", () => {
  it("compiles a pool's statement_timeout and a rule's timeout into the checked policy", () => {
    const bundle = compileOk(
      withPools(
        TIMED_POOLS,
        [
          'rule fast when family = read and user = "web" -> route replicas timeout 500ms',
          'rule slow when family = read and user ~ "report*" -> route reports timeout none',
          "rule plain when family = read -> route replicas",
          'rule expand when digest = "ls" -> respond expand "SHOW TABLES" then route replicas timeout 2s',
        ].join("\n"),
      ),
    );
    const pools = new Map(bundle.policy.pools.map((p) => [p.name, p]));
    expect(pools.get("replicas")?.statementTimeout).toEqual({ kind: "after", ms: 30_000 });
    expect(pools.get("reports")?.statementTimeout).toEqual({ kind: "none" });
    expect(pools.get("primary")?.statementTimeout).toBeUndefined();
    const byName = new Map(bundle.policy.rules.map((r) => [r.name, r.action]));
    expect(byName.get("fast")?.timeout).toEqual({ kind: "after", ms: 500 });
    expect(byName.get("slow")?.timeout).toEqual({ kind: "none" });
    expect(byName.get("plain")?.timeout).toBeUndefined();
    expect(byName.get("expand")?.timeout).toEqual({ kind: "after", ms: 2000 });
  });

  it("leaves the hash of a policy without timeouts alone, and changes it when one is added", () => {
    const policy = (rule: string) => `${POOLS}${rule}\ndefault -> route primary\n`;
    const plain = compileOk(policy("rule r when family = read -> route replicas"));
    const again = compileOk(policy("rule r  when family = read\n  -> route replicas"));
    const timed = compileOk(policy("rule r when family = read -> route replicas timeout 1s"));
    expect(again.hash).toBe(plain.hash);
    expect(timed.hash).not.toBe(plain.hash);
  });

  it("fmt prints the timeout back and is idempotent", () => {
    const text = withPools(
      TIMED_POOLS,
      'rule fast when family = read -> route replicas tag "x"   timeout 500ms log',
    );
    const once = formatPolicy(parseFile("p.policy", text).file, text);
    expect(once).toContain('-> route replicas tag "x" timeout 500ms log');
    expect(once).toContain("statement_timeout = 30s");
    expect(formatPolicy(parseFile("p.policy", once).file, once)).toBe(once);
  });

  it("`timeout` stays usable as a pool name", () => {
    const bundle = compileOk(
      "version 1\npool timeout {\n  role = primary\n}\ndefault -> route timeout timeout 1s\n",
    );
    expect(bundle.policy.defaultAction).toMatchObject({
      kind: "route",
      target: { kind: "pool", pool: "timeout" },
      timeout: { kind: "after", ms: 1000 },
    });
  });
});

describe("checker diagnostics for bad timeouts", () => {
  it.each([
    ["route replicas timeout 5", "has no unit", "timeout 5s"],
    ["route replicas timeout 0s", "0 would interrupt every statement", "timeout none"],
    ["route replicas timeout 25h", "longer than the longest allowed", "timeout none"],
    ["route replicas timeout never", "`never` is not a timeout", "timeout 5s"],
    ["route replicas timeout 1s timeout 2s", "two timeouts", "keep one"],
    ['deny "no" timeout 1s', "answers without a server", "rule that routes"],
    ['respond columns ("a") row (1) timeout 1s', "answers without a server", "rule that routes"],
  ])("`-> %s` is SLU215 (%s)", (action, message, hint) => {
    const ds = diagnose(`${POOLS}rule r when family = read -> ${action}\ndefault -> route primary\n`).filter(
      (d) => d.severity === "error",
    );
    expect(ds.map((d) => d.code)).toEqual(["SLU215"]);
    expect(ds[0]!.message).toContain(message);
    expect(ds[0]!.hint).toContain(hint);
  });

  it.each([
    ["statement_timeout = 30", "has no unit", "statement_timeout = 30s"],
    ["statement_timeout = 0ms", "0 would interrupt", "statement_timeout = none"],
    ['statement_timeout = "30s"', "a timeout is a duration", "statement_timeout = 5s"],
    ["statement_timeout = none 5s", "`none 5s` is not a timeout", "statement_timeout = none"],
  ])("pool `%s` is SLU209 (%s)", (prop, message, hint) => {
    const ds = diagnose(`${POOLS}pool p {\n  role = primary\n  ${prop}\n}\ndefault -> route p\n`).filter(
      (d) => d.severity === "error",
    );
    expect(ds.map((d) => d.code)).toEqual(["SLU209"]);
    expect(ds[0]!.message).toContain(message);
    expect(ds[0]!.hint).toContain(hint);
  });

  it("reports the value's position with a code frame and a hint", () => {
    const text = `${POOLS}rule r\n  when family = read\n  -> route replicas timeout 30\ndefault -> route primary\n`;
    const d = diagnose(text).find((x) => x.code === "SLU215")!;
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("timeout 30")) + 1;
    expect([d.span.line, d.span.column]).toEqual([line, lines[line - 1]!.indexOf("30") + 1]);
    const shown = renderText([d], new Map([["t.policy", text]]));
    expect(shown).toContain(`t.policy:${line}:${d.span.column}`);
    expect(shown).toContain("SLU215");
    expect(shown).toContain("-> route replicas timeout 30");
    expect(shown).toMatch(/\^\^/);
    expect(shown).toContain("timeout 30s");
  });
});

describe("which limit a statement gets", () => {
  const pool = (name: string, statementTimeout?: PoolSpec["statementTimeout"]): [string, PoolSpec] => [
    name,
    {
      name,
      select: { kind: "role", role: "replica" },
      balance: "least-active",
      maxLagMs: null,
      fallback: { kind: "error" },
      consistency: { kind: "none" },
      ...(statementTimeout === undefined ? {} : { statementTimeout }),
      span: { file: "", start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 },
    },
  ];
  const pools = new Map([
    pool("timed", { kind: "after", ms: 3000 }),
    pool("unlimited", { kind: "none" }),
    pool("plain"),
  ]);
  const route = (to: string, timeout?: Action["timeout"]): Action => ({
    kind: "route",
    target: to === "stay" ? { kind: "stay" } : { kind: "pool", pool: to },
    tags: [],
    log: null,
    ...(timeout === undefined ? {} : { timeout }),
  });

  it.each([
    ["the rule's timeout first", route("timed", { kind: "after", ms: 500 }), "timed", 500],
    ["the rule's none beats the pool's and the default", route("timed", { kind: "none" }), "timed", 0],
    ["then the pool that chose the server", route("plain"), "timed", 3000],
    ["a pool's none beats the default", route("plain"), "unlimited", 0],
    ["then the config's default", route("plain"), "plain", 9000],
    ["a statement that stays uses the pool the rule names", route("timed"), null, 3000],
    ["route stay has no pool: the default", route("stay"), null, 9000],
  ] as const)("%s", (_what, action, chosen, expected) => {
    expect(statementTimeoutMs(action, chosen, pools, 9000)).toBe(expected);
  });
});
