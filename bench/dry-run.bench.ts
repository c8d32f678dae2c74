/**
 * Dry-run throughput: generates a synthetic MariaDB general log of typical OLTP traffic (point
 * and range reads, updates, inserts, short transactions, prepared-statement executions, a few
 * multi-line statements, 64 interleaved sessions), then replays it end to end through
 * `runDryRun` (read → parse → classify → simulate → decide/route → report) with the default
 * policy, and separately times the reader alone. Target: ≥ 200,000 statements/s on one core.
 *
 *   node --import tsx bench/dry-run.bench.ts [--lines 1000000] [--policy policies/default.policy]
 *
 * Writes bench/results/<yyyy-mm-dd>-dry-run.json.
 */

import { once } from "node:events";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { readLog } from "../src/dry-run/readers/read-log.js";
import { loadPolicy, runDryRun } from "../src/dry-run/run.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** A small deterministic PRNG so every run replays the same log. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function writeLog(path: string, targetLines: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const random = rng(42);
  const int = (n: number) => Math.floor(random() * n);
  const sessions = 64;
  const inTrx = new Array<boolean>(sessions).fill(false);
  let lines = 0;
  let buffer: string[] = [];
  const emit = (text: string) => {
    buffer.push(text);
    lines += text.split("\n").length;
  };
  const flush = async () => {
    if (!out.write(`${buffer.join("\n")}\n`)) await once(out, "drain");
    buffer = [];
  };
  emit("/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (Debian 12). started with:");
  emit("Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock");
  emit("Time\t\t    Id Command\tArgument");
  for (let t = 0; t < sessions; t++)
    emit(`\t\t${String(100 + t).padStart(6)} Connect\tapp@10.0.0.${t % 250} on shop using TCP/IP`);
  let second = 0;
  while (lines < targetLines) {
    if (int(1000) === 0)
      emit(
        `261121 ${String(10 + (Math.floor(++second / 3600) % 10))}:${String(Math.floor(second / 60) % 60).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}\t${String(100).padStart(6)} Query\tSELECT 1`,
      );
    const t = int(sessions);
    const id = `\t\t${String(100 + t).padStart(6)}`;
    const roll = int(100);
    const n = int(1_000_000);
    if (inTrx[t]) {
      if (roll < 30) {
        emit(`${id} Query\tCOMMIT`);
        inTrx[t] = false;
      } else if (roll < 60)
        emit(`${id} Query\tUPDATE accounts SET balance = balance - ${int(500)} WHERE id = ${n}`);
      else emit(`${id} Query\tSELECT balance FROM accounts WHERE id = ${n} FOR UPDATE`);
    } else if (roll < 45) emit(`${id} Query\tSELECT id, name, price, stock FROM products WHERE id = ${n}`);
    else if (roll < 55)
      emit(`${id} Execute\tSELECT * FROM orders WHERE customer_id = ${n} AND status = 'open'`);
    else if (roll < 63)
      emit(
        `${id} Query\tSELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = 'user${n}@example.com' ORDER BY o.created_at DESC LIMIT 10`,
      );
    else if (roll < 70)
      emit(`${id} Query\tUPDATE products SET stock = stock - 1 WHERE id = ${n} AND stock > 0`);
    else if (roll < 76)
      emit(
        `${id} Query\tINSERT INTO order_items (order_id, product_id, qty, price) VALUES (${n}, ${int(5000)}, ${1 + int(5)}, ${int(10000) / 100})`,
      );
    else if (roll < 80) {
      emit(`${id} Query\tBEGIN`);
      inTrx[t] = true;
    } else if (roll < 83)
      emit(
        `${id} Query\tSELECT c.id,\n       c.name,\n       COUNT(o.id) AS orders\n  FROM customers c\n  LEFT JOIN orders o ON o.customer_id = c.id\n WHERE c.id = ${n}\n GROUP BY c.id, c.name`,
      );
    else if (roll < 90) emit(`${id} Query\tSELECT COUNT(*) FROM cart_items WHERE session_id = 'sess-${n}'`);
    else if (roll < 94)
      emit(
        `${id} Query\tDELETE FROM cart_items WHERE session_id = 'sess-${n}' AND product_id = ${int(5000)}`,
      );
    else if (roll < 97)
      emit(
        `${id} Query\tSELECT name FROM categories WHERE parent_id IN (${int(50)}, ${int(50)}, ${int(50)})`,
      );
    else emit(`${id} Query\tSET @last_seen = ${n}`);
    if (buffer.length >= 4096) await flush();
  }
  await flush();
  out.end();
  await once(out, "close");
  return lines;
}

class Discard extends Writable {
  isTTY = false;
  override _write(_c: Buffer, _e: BufferEncoding, done: () => void): void {
    done();
  }
}

async function main(): Promise<void> {
  const targetLines = Number(arg("lines", "1000000"));
  const policyFile = arg("policy", "policies/default.policy");
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-dry-run-"));
  try {
    const logPath = join(dir, "general.log");
    const lines = await writeLog(logPath, targetLines);
    const bytes = statSync(logPath).size;
    process.stderr.write(`log: ${lines} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB\n`);

    // the reader alone
    let t0 = process.hrtime.bigint();
    let events = 0;
    for await (const batch of readLog(logPath)) events += batch.length;
    const readSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

    const loaded = await loadPolicy(policyFile);
    if (loaded.kind !== "ok") throw new Error(`policy ${policyFile} does not compile`);
    // three runs: the machine may be shared, so the median and the best are both reported
    const runs: { seconds: number; cpuSeconds: number }[] = [];
    let result: Awaited<ReturnType<typeof runDryRun>> | undefined;
    for (let k = 0; k < 3; k++) {
      t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      result = await runDryRun(
        { policy: loaded.policy, logs: [logPath], json: true },
        { stdout: new Discard(), stderr: new Discard() },
      );
      const cpu = process.cpuUsage(cpu0);
      runs.push({
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      });
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const median = runs[1]!;
    const best = runs[0]!;
    const statements = result?.summary?.statements ?? 0;
    const perSecond = Math.round(statements / median.seconds);
    const results = {
      name: "dry-run",
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      // other work on the machine slows every figure below: the 1-minute load when the runs ended
      loadAverage: round(loadavg()[0] ?? 0),
      policy: policyFile,
      log: { lines, bytes, events },
      reader: { seconds: round(readSeconds), eventsPerSecond: Math.round(events / readSeconds) },
      endToEnd: {
        statements,
        runs: runs.map((r) => ({ seconds: round(r.seconds), cpuSeconds: round(r.cpuSeconds) })),
        /** median of three runs, wall clock */
        statementsPerSecond: perSecond,
        bestStatementsPerSecond: Math.round(statements / best.seconds),
        // the machine may be shared: CPU time is the fairer "one core" measure
        statementsPerCpuSecond: Math.round(statements / median.cpuSeconds),
      },
      // judged on CPU time: on a shared machine wall time measures the neighbours too
      target: {
        statementsPerSecond: 200_000,
        measure: "statementsPerCpuSecond",
        met: Math.round(statements / median.cpuSeconds) >= 200_000,
      },
      pools: result?.summary?.pools.map((p) => ({ pool: p.pool, count: p.count })) ?? [],
    };
    const resultsDir = new URL("./results/", import.meta.url).pathname;
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${results.date.slice(0, 10)}-dry-run.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten to ${file}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

await main();
