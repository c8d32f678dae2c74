/**
 * Decisions per second of the compiled decision tree (and of the first-match reference, for
 * scale) on default.policy and on a generated 200-rule policy. Inputs are classified up front,
 * so only `decide` is timed. Writes bench/results/<yyyy-mm-dd>-decide.json.
 *
 *   node --import tsx bench/decide.bench.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { classify } from "../src/classifier/classify.js";
import type { PolicyBundle } from "../src/policy/compile/bundle.js";
import { decide, loadTree } from "../src/policy/compile/decide.js";
import { firstMatch } from "../src/policy/compile/first-match.js";
import { BASE_SESSION } from "../src/policy/domain/base-input.js";
import type { DecisionInput } from "../src/policy/input.js";
import { compilePolicy } from "../src/policy/pipeline.js";

const STATEMENTS = [
  "SELECT * FROM orders WHERE id = 42",
  "SELECT name, total FROM shop.orders o JOIN users u ON u.id = o.user_id WHERE o.id = 7",
  "INSERT INTO orders (user_id, total) VALUES (1, 9.5)",
  "UPDATE orders SET total = 0 WHERE id = 3",
  "SELECT * FROM orders WHERE id = 1 FOR UPDATE",
  "SELECT FOUND_ROWS()",
  "SHOW TABLES",
  "BEGIN",
  "COMMIT",
  "SET NAMES utf8mb4",
  "/* sluice: route=primary */ SELECT 1",
  "SELECT COUNT(*) FROM tenant_acme.invoices",
];
const USERS = ["app", "report", "user_17", "user_150", "admin"];

function inputs(): DecisionInput[] {
  const out: DecisionInput[] = [];
  for (const sql of STATEMENTS) {
    const facts = classify(sql);
    for (const user of USERS)
      for (const inTransaction of [false, true])
        out.push({
          facts,
          session: { ...BASE_SESSION, user, inTransaction, schema: inTransaction ? "shop" : null },
        });
  }
  return out;
}

function generatedPolicy(rules: number): string {
  const lines = ["version 1", "pool primary {\n  role = primary\n}"];
  for (let p = 0; p < 4; p++) lines.push(`pool replicas_${p} {\n  role = replica\n  fallback = primary\n}`);
  lines.push(
    "rule same_connection\n  when same_connection and not writes and locking = none\n  -> route stay",
  );
  lines.push(
    "rule writes\n  when writes or locking != none or in_transaction or transaction != none\n  -> route primary",
  );
  for (let i = 0; i < rules - 3; i++) {
    const pool = `replicas_${i % 4}`;
    switch (i % 4) {
      case 0:
        lines.push(
          `rule user_${i}\n  when user = "user_${i}" and kind in [select, show_tables]\n  -> route ${pool} tag "u${i}"`,
        );
        break;
      case 1:
        lines.push(
          `rule tenant_${i}\n  when tables contains "tenant_${i}.orders" and family = read\n  -> route ${pool}`,
        );
        break;
      case 2:
        lines.push(
          `rule digest_${i}\n  when digest = "SELECT * FROM t${i} WHERE id = ?"\n  -> route ${pool} log`,
        );
        break;
      default:
        lines.push(`rule schema_${i}\n  when schema = "db_${i}" and family = read\n  -> route ${pool}`);
    }
  }
  lines.push("rule reads\n  when family = read\n  -> route replicas_0");
  lines.push("default -> route primary");
  return `${lines.join("\n\n")}\n`;
}

function compile(path: string, text: string): { bundle: PolicyBundle; ms: number } {
  const start = performance.now();
  const result = compilePolicy([{ path, text }]);
  const ms = performance.now() - start;
  if (result.kind !== "ok") throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return { bundle: result.bundle, ms };
}

function measure(label: string, fn: (input: DecisionInput) => unknown, data: DecisionInput[]) {
  let sink = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) if (fn(data[i % data.length]!) !== undefined) sink++;
  };
  run(100_000); // warm up
  const rounds: number[] = [];
  const heapBefore = process.memoryUsage().heapUsed;
  for (let r = 0; r < 5; r++) {
    const n = 300_000;
    const start = process.hrtime.bigint();
    run(n);
    const ns = Number(process.hrtime.bigint() - start);
    rounds.push(n / (ns / 1e9));
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  rounds.sort((a, b) => a - b);
  const median = rounds[2]!;
  console.log(`${label}: ${(median / 1e6).toFixed(2)} M decisions/s (sink ${sink % 7})`);
  return {
    decisionsPerSecond: Math.round(median),
    rounds: rounds.map(Math.round),
    heapGrowthBytes: heapGrowth,
  };
}

const data = inputs();
const results: Record<string, unknown> = {};
for (const [name, path, text] of [
  ["default.policy", "policies/default.policy", readFileSync("policies/default.policy", "utf8")],
  ["generated-200", "generated.policy", generatedPolicy(200)],
] as const) {
  const { bundle, ms } = compile(path, text);
  const tree = loadTree(bundle.tree, bundle.policy);
  results[name] = {
    rules: bundle.policy.rules.length,
    treeNodes: bundle.tree.nodes.length,
    dimensions: bundle.tree.dims.length,
    compileMs: Math.round(ms * 10) / 10,
    tree: measure(`${name} tree`, (i) => decide(tree, i), data),
    firstMatch: measure(`${name} first-match`, (i) => firstMatch(bundle.policy, i), data),
  };
}

const date = new Date().toISOString().slice(0, 10);
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/${date}-decide.json`;
writeFileSync(
  file,
  `${JSON.stringify({ bench: "decide", date, node: process.version, inputs: data.length, results }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
