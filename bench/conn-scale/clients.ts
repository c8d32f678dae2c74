/**
 * The client side of the connection-scale bench, in its own process (its own file-descriptor
 * limit and CPU): opens `--count` MySQL connections to `--port`, prints "OPENED <json>", runs a
 * light mixed workload over all of them for `--seconds` (point selects and `--write-percent`
 * (default 10) single-row updates, `--inflight` statements at a time, each on a randomly chosen connection), prints
 * "RESULT <json>" and exits.
 *
 * Uses Sluice's own BackendConnection as a minimal client (native password login, one command at
 * a time, no result decoding): 10,000 mysql2 connections would cost the client more than the proxy.
 */
import { pino } from "pino";
import { BackendConnection } from "../../src/pool/backend-connection.js";
import { Capability, Command } from "../../src/protocol/constants.js";
import { stage1FromPassword } from "../../src/protocol/native-password.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const host = arg("host", "127.0.0.1");
const port = Number(arg("port", "3306"));
const user = arg("user", "app");
const password = process.env.BENCH_PASSWORD ?? "";
const database = arg("database", "sluice_test");
const count = Number(arg("count", "10000"));
const seconds = Number(arg("seconds", "30"));
const inflight = Number(arg("inflight", "32"));
const connectParallel = Number(arg("connect-parallel", "200"));
const tableSize = Number(arg("table-size", "100000"));
const writePercent = Number(arg("write-percent", "10"));

const log = pino({ level: "silent" });
const login = {
  user,
  stage1: stage1FromPassword(password),
  // a plain modern client: protocol 4.1, transactions, multi-results, deprecate-EOF
  capabilities:
    Capability.Protocol41 | Capability.Transactions | Capability.MultiResults | Capability.DeprecateEof,
  collation: 45,
  maxPacketSize: 16 << 20,
  // a client of Sluice, not Sluice's backend: no session trackers to set up
  sessionTracking: false,
};
const errors = new Map<string, number>();
const noteError = (e: unknown) => {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\d+/g, "N").slice(0, 160);
  errors.set(message, (errors.get(message) ?? 0) + 1);
};

const conns: BackendConnection[] = [];
const t0 = performance.now();
let failedOpens = 0;
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(connectParallel, count) }, async () => {
    while (next < count) {
      next++;
      try {
        conns.push(await BackendConnection.open({ name: "sluice", host, port }, login, 30_000, log));
      } catch (e) {
        failedOpens++;
        noteError(e);
      }
    }
  }),
);
const openSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`OPENED ${JSON.stringify({ opened: conns.length, failedOpens, openSeconds })}\n`);

let queries = 0;
let queryErrors = 0;
// xorshift32: deterministic runs; an LCG's low bits (seed % n) cycle so fast that 8,000 picks
// reached only about 2,400 of 10,000 clients, and the same ones again and again
let seed = 12345;
const random = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
};
const busy = new Set<BackendConnection>();
/** the clients that ran at least one statement */
const used = new Set<number>();
const deadline = performance.now() + seconds * 1000;
const latencies: number[] = [];
if (conns.length > 0)
  await Promise.all(
    Array.from({ length: Math.min(inflight, conns.length) }, async () => {
      while (performance.now() < deadline) {
        const index = random(conns.length);
        const conn = conns[index]!;
        if (conn.closed && conns.every((c) => c.closed)) break;
        if (busy.has(conn) || conn.closed) continue;
        busy.add(conn);
        used.add(index);
        const id = 1 + random(tableSize);
        const table = `${database}.sbtest${1 + random(4)}`;
        const sql =
          random(100) < writePercent
            ? `UPDATE ${table} SET k = k + 1 WHERE id = ${id}`
            : `SELECT c FROM ${table} WHERE id = ${id}`;
        const started = performance.now();
        try {
          const st = await conn.command(Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql)]));
          if (st.error !== undefined) {
            queryErrors++;
            noteError(new Error(`server error ${st.error.errno}: ${st.error.message}`));
          } else queries++;
        } catch (e) {
          queryErrors++;
          noteError(e);
        }
        latencies.push(performance.now() - started);
        busy.delete(conn);
      }
    }),
  );
const stillOpen = conns.filter((c) => !c.closed).length;
for (const c of conns) c.destroy();
latencies.sort((a, b) => a - b);
const pct = (f: number) => Math.round((latencies[Math.floor(latencies.length * f)] ?? 0) * 100) / 100;
process.stdout.write(
  `RESULT ${JSON.stringify({
    requested: count,
    opened: conns.length,
    failedOpens,
    openSeconds: Math.round(openSeconds * 10) / 10,
    stillOpenAfterWorkload: stillOpen,
    workloadSeconds: seconds,
    queries,
    queryErrors,
    clientsUsed: used.size,
    qps: Math.round(queries / seconds),
    p50Ms: pct(0.5),
    p95Ms: pct(0.95),
    errors: Object.fromEntries([...errors].sort((a, b) => b[1] - a[1]).slice(0, 8)),
  })}\n`,
);
process.exit(0);
