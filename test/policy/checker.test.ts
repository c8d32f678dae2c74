import { describe, expect, it } from "vitest";
import { checkSources } from "../../src/policy/pipeline.js";
import { codes, diagnose, POOLS } from "./support/compile.js";

const rule = (cond: string, action = "route primary") =>
  `${POOLS}rule r when ${cond} -> ${action}\ndefault -> route primary\n`;

describe("checker diagnostics", () => {
  it.each([
    ["kind = selct", "SLU202", "did you mean `select`?"],
    ["knd = select", "SLU201", "did you mean `kind`?"],
    ['family = "ddl"', "SLU203", "write ddl without quotes"],
    ["user = report", "SLU203", 'quote it: "report"'],
    ["kind", "SLU203", "compare it"],
    ["writes contains x", "SLU203", "boolean"],
    ['user contains "x"', "SLU203", "`contains` is for sets"],
    ['hint = "x"', "SLU201", "hint.route"],
    ["writes.x", "SLU201", "without"],
    ["digest ~ /a(/", "SLU205", "brackets"],
    ["digest ~ /a/g", "SLU206", "stateful"],
    ['previous_pool = "replcas"', "SLU204", "did you mean `replicas`?"],
    ["same_connection contains found_row", "SLU202", "did you mean `found_rows`?"],
  ])("`%s` → %s", (cond, code, hint) => {
    const ds = diagnose(rule(cond)).filter((d) => d.severity === "error");
    expect(ds.map((d) => d.code)).toEqual([code]);
    expect(ds[0]!.hint).toContain(hint);
  });

  it("a missing list after `in` is a syntax error with a hint", () => {
    const ds = diagnose(rule("kind in select"));
    expect(ds[0]!.code).toBe("SLU002");
    expect(ds[0]!.hint).toContain("kind in [select, insert]");
  });

  it("points at the offending token with line and column", () => {
    const d = diagnose(rule("kind = selct")).find((x) => x.code === "SLU202")!;
    const lines = rule("kind = selct").split("\n");
    const line = lines.findIndex((l) => l.includes("selct")) + 1;
    expect(d.span.line).toBe(line);
    expect(d.span.column).toBe(lines[line - 1]!.indexOf("selct") + 1);
    expect(d.span.endColumn - d.span.column).toBe(5);
  });

  it.each([
    ["SLU103", `${POOLS}pool primary { role = primary }\ndefault -> route primary`],
    [
      "SLU104",
      `${POOLS}rule a when writes -> route primary\nrule a when true -> route primary\ndefault -> route primary`,
    ],
    ["SLU105", `${POOLS}rule a when writes -> route primary`],
    ["SLU106", `${POOLS}default -> route primary\ndefault -> route replicas`],
    ["SLU107", `${POOLS}import "nope.policy"\ndefault -> route primary`],
    ["SLU204", `${POOLS}rule a when writes -> route primry\ndefault -> route primary`],
    ["SLU207", `${POOLS}rule a when writes -> deny "x" code 12\ndefault -> route primary`],
    ["SLU207", `${POOLS}rule a when writes -> deny "x" sqlstate "abc"\ndefault -> route primary`],
    ["SLU208", `${POOLS}pool p { role = primary rol = replica }\ndefault -> route p`],
    ["SLU209", `${POOLS}pool p { role = leader }\ndefault -> route p`],
    ["SLU210", `${POOLS}pool p { role = primary servers = ["a"] }\ndefault -> route p`],
    ["SLU210", `${POOLS}pool p { balance = round-robin }\ndefault -> route p`],
    [
      "SLU211",
      `${POOLS}pool a { role = replica fallback = b }\npool b { role = replica fallback = a }\ndefault -> route a`,
    ],
    ["SLU212", `${POOLS}rule a when writes -> respond columns ("x", "y") row (1)\ndefault -> route primary`],
    ["SLU213", `${POOLS}pool stay { role = primary }\ndefault -> route primary`],
    ["SLU214", `${POOLS}pool p { servers = ["a" weight 2] }\ndefault -> route p`],
    ["SLU102", `version 2\npool p { role = primary }\ndefault -> route p`],
    ["SLU101", `pool p { role = primary }\ndefault -> route p`],
    [
      "SLU201",
      `${POOLS}rule a when kind = select -> route primary\nrule a2 when knd = x -> route primary\ndefault -> route primary`,
    ],
  ])("%s from a structural problem", (code, text) => {
    expect(codes(text)).toContain(code);
  });

  it("reports every error of a file in one run, syntax and semantic", () => {
    const text = `${POOLS}rule a when kind = selct -> route primary
rule b when writes && x -> route primary
rule c when -> route primary
rule d when user = report -> route nowhere
default -> route primary
`;
    const found = codes(text);
    expect(found).toEqual(expect.arrayContaining(["SLU001", "SLU002", "SLU202", "SLU203", "SLU204"]));
    expect(found.filter((c) => c === "SLU002").length).toBeGreaterThanOrEqual(2);
  });

  it("an unterminated string is one error, not a cascade", () => {
    const found = codes(`${POOLS}rule a when user = "report -> route primary\ndefault -> route primary\n`);
    expect(found.filter((c) => c === "SLU003")).toHaveLength(1);
  });

  it("imports include pools and rules in order, and cycles are reported", () => {
    const ok = checkSources([
      {
        path: "p/main.policy",
        text: 'version 1\nrule first when writes -> route primary\nimport "lib/pools.policy"\ndefault -> route primary',
      },
      {
        path: "p/lib/pools.policy",
        text: "version 1\npool primary { role = primary }\nrule second when true -> route primary",
      },
    ]);
    expect(ok.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(ok.policy!.rules.map((r) => r.name)).toEqual(["first", "second"]);
    const cyclic = checkSources([
      {
        path: "a.policy",
        text: 'version 1\nimport "b.policy"\npool p { role = primary }\ndefault -> route p',
      },
      { path: "b.policy", text: 'version 1\nimport "a.policy"' },
    ]);
    expect(cyclic.diagnostics.map((d) => d.code)).toContain("SLU108");
  });

  it("accepts a policy that uses every construct", () => {
    const text = `${POOLS}pool analytics {
  servers = ["a" weight 2, "b"]
  balance = weighted
  max_lag = 500ms
  fallback = replicas
  consistency = primary-after-write 5s
}
rule a when hint.route = "primary" or hint.pool -> route primary
rule b when same_connection contains [found_rows, warnings] and not writes and locking = none -> route stay
rule c when tables ~ "tenant_*.orders" and schema != null and user not in ["x"] -> route primary tag "t" log
rule d when digest ~ /^ls$/i -> respond expand "SHOW TABLES" then route primary
rule e when digest = "whoami" -> respond columns ("u", "s") row (user, schema) row ("x", null)
rule f when kind = select and previous_pool = "analytics" -> rewrite /SELECT \\*/ to "SELECT id" then route primary
rule g when fingerprint = "00" -> rewrite digest "SELECT ?" to "SELECT 1" then route primary
rule h when (kind in [insert, update] or family = ddl) and not (user ~ "dba*") -> deny "no" code 1290 sqlstate "HY000" log "denied"
default -> route primary
`;
    const errors = diagnose(text).filter((d) => d.severity === "error" && d.code < "SLU300");
    expect(errors).toEqual([]);
  });
});
