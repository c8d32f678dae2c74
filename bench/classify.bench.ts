/**
 * Classifications per second on a realistic OLTP mix, on one core, three ways:
 * - uncached: `classify` on every statement;
 * - cached, repeated texts: `ClassifierCache` over a bounded set of distinct texts (what prepared
 *   statements, ORMs with bound parameters and connection-setup chatter send);
 * - cached, fresh literals: every statement has new literals, so only the digest level can hit.
 * Writes bench/results/<yyyy-mm-dd>-classify.json. Run: npx tsx bench/classify.bench.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { ClassifierCache } from "../src/classifier/cache.js";
import { classify } from "../src/classifier/classify.js";

// weights roughly those of a sysbench oltp_read_write transaction plus driver chatter
const TEMPLATES: readonly [number, (r: () => number) => string][] = [
  [10, (r) => `SELECT c FROM sbtest1 WHERE id = ${r()}`],
  [1, (r) => `SELECT c FROM sbtest1 WHERE id BETWEEN ${r()} AND ${r() + 99}`],
  [1, (r) => `SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ${r()} AND ${r() + 99}`],
  [1, (r) => `SELECT c FROM sbtest1 WHERE id BETWEEN ${r()} AND ${r() + 99} ORDER BY c`],
  [1, (r) => `SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ${r()} AND ${r() + 99} ORDER BY c`],
  [1, (r) => `UPDATE sbtest1 SET k = k + 1 WHERE id = ${r()}`],
  [1, (r) => `UPDATE sbtest1 SET c = '${r()}-${r()}-${r()}-${r()}' WHERE id = ${r()}`],
  [1, (r) => `DELETE FROM sbtest1 WHERE id = ${r()}`],
  [1, (r) => `INSERT INTO sbtest1 (id, k, c, pad) VALUES (${r()}, ${r()}, '${r()}-${r()}', '${r()}')`],
  [1, () => "BEGIN"],
  [1, () => "COMMIT"],
  [
    1,
    (r) =>
      `SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = ${r()} AND o.status IN (1, 2, 3) ORDER BY o.created_at DESC LIMIT 20`,
  ],
  [1, (r) => `SELECT * FROM accounts WHERE id = ${r()} FOR UPDATE`],
  [0.2, () => "SET NAMES utf8mb4"],
  [0.2, () => "SET autocommit = 1"],
  [0.2, () => "SELECT @@session.transaction_read_only"],
  [0.2, () => "/* sluice: route=primary */ SELECT balance FROM accounts WHERE id = 7"],
];

function mix(count: number, distinctIds: number, seed: number): string[] {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const r = () => 1 + Math.floor(rand() * distinctIds);
  const total = TEMPLATES.reduce((a, [w]) => a + w, 0);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let x = rand() * total;
    for (const [w, make] of TEMPLATES) {
      x -= w;
      if (x <= 0) {
        out.push(make(r));
        break;
      }
    }
  }
  return out;
}

interface Result {
  readonly name: string;
  readonly statements: number;
  /** by wall-clock time */
  readonly perSecond: number;
  /** by this process's CPU time (user + system): fair when other processes share the cores */
  readonly perCpuSecond: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

function measure(name: string, statements: readonly string[], run: (sql: string) => unknown): Result {
  for (let i = 0; i < Math.min(20_000, statements.length); i++) run(statements[i] ?? ""); // warm-up
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const sql of statements) if (run(sql) !== undefined) sink++;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (sink !== statements.length) throw new Error("lost results");
  const perSecond = Math.round((statements.length / wallMs) * 1000);
  const perCpuSecond = Math.round((statements.length / cpuMs) * 1000);
  process.stdout.write(
    `${name.padEnd(32)} ${perSecond.toLocaleString("en").padStart(10)} /s wall ${perCpuSecond.toLocaleString("en").padStart(10)} /s cpu  (${statements.length} in ${wallMs.toFixed(0)} ms)\n`,
  );
  return {
    name,
    statements: statements.length,
    perSecond,
    perCpuSecond,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round(cpuMs),
  };
}

const N = 300_000;
const fresh = mix(N, 10_000_000, 1);
// a pool of 2,000 distinct texts (well inside the cache bound), drawn from 300,000 times
const pool = mix(2_000, 10_000_000, 2);
// each a fresh string object, as if just decoded from a packet (its hash not yet computed)
const repeated = Array.from({ length: N }, (_, i) =>
  Buffer.from(pool[(Math.imul(i, 2654435761) >>> 0) % pool.length] ?? "", "utf8").toString("utf8"),
);
const distinctRepeated = new Set(repeated).size;
const results = [
  measure("uncached (classify)", fresh, (sql) => classify(sql)),
  measure(
    "cached, repeated texts",
    repeated,
    (
      (c) => (sql: string) =>
        c.classify(sql)
    )(new ClassifierCache(10_000)),
  ),
  measure(
    "cached, fresh literals (digest)",
    fresh,
    (
      (c) => (sql: string) =>
        c.classify(sql)
    )(new ClassifierCache(10_000)),
  ),
];
const report = {
  bench: "classify",
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  note: "one process (one core); targets: >1,000,000/s cached, >200,000/s uncached; the CPU-time rate is the fair one when the machine is shared (see loadAverage)",
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  mix: { templates: TEMPLATES.length, statements: N, distinctTextsInRepeatedRun: distinctRepeated },
  results,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = new URL(`./results/${report.date.slice(0, 10)}-classify.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
