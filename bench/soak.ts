/**
 * Soak: a mixed mysql2 workload through Sluice for N minutes while servers fail and the config is
 * reloaded, then a tally (statements, errors by category, outages, reloads, lost writes).
 *
 *   npm run soak -- --minutes 30
 *
 * Starts its own cluster (primary + 2 replicas, src/cluster) and two in-process Sluices on it:
 *  - "runtime": the real `SluiceRuntime` (config file, policy, monitor with failover off) when it
 *    starts; it is reloaded once a second as SIGHUP would. Writers and readers go through it.
 *  - "split": startProxy with a small read/write split sending autocommit SELECTs to replica1, so
 *    replica faults hit client traffic. Falls back to carrying all the load if the runtime fails.
 * Faults, in a cycle: kill -9 of replica1 (restart 3 s later), SIGSTOP of replica2 for 3 s, a clean
 * restart of replica1, and every third cycle kill -9 of the primary (restart 2 s later).
 * Writes bench/results/<date>-soak.json. Exit code 1 when a write was lost, a worker got stuck or
 * the pools did not return to baseline.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pino from "pino";
import { freePort } from "../src/cluster/free-port.js";
import { startLocalCluster } from "../src/cluster/local-cluster.js";
import { type ProxyHandle, startProxy } from "../src/runtime/proxy.js";
import { SluiceRuntime } from "../src/runtime/sluice-runtime.js";
import { readsTo } from "../test/support/fault-chooser.js";
import { expectPoolsAtBaseline, restoreCluster } from "../test/support/fault-cluster.js";
import { LedgerLoad, type LoadTally } from "../test/support/fault-load.js";

const here = dirname(fileURLToPath(import.meta.url));
const argIndex = process.argv.indexOf("--minutes");
const minutes = Number(argIndex >= 0 ? process.argv[argIndex + 1] : (process.env.SOAK_MINUTES ?? 5));
if (!(minutes > 0)) throw new Error("usage: npm run soak -- --minutes N");
const say = (line: string) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const cluster = await startLocalCluster({ replicas: 2, log: (l) => say(`cluster: ${l}`) });
const control = cluster.control;
const { app, monitor, repl } = cluster.info.users;
const quiet = pino({ level: process.env.SLUICE_LOG_LEVEL ?? "silent" });
const faults: Record<string, number> = {};
const reloads = { ok: 0, failed: 0 };
let runtime: SluiceRuntime | undefined;
let runtimeNote = "";
let split: ProxyHandle | undefined;
let exitCode = 0;

async function startRuntime(): Promise<SluiceRuntime | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-soak-"));
  const port = await freePort();
  const servers = cluster.info.servers
    .map((s) => `  - name: ${s.name}\n    host: ${s.host}\n    port: ${s.port}\n    role: ${s.role}`)
    .join("\n");
  const config = [
    "listeners:",
    `  - host: 127.0.0.1\n    port: ${port}`,
    "servers:",
    servers,
    "users:",
    `  - name: ${app.user}\n    password_env: SOAK_APP_PASSWORD`,
    "pools:\n  min_idle: 1\n  connect_timeout_ms: 1500\n  queue_timeout_ms: 2000",
    `monitor:\n  user: ${monitor.user}\n  password_env: SOAK_MONITOR_PASSWORD\n  replication:\n    user: ${repl.user}\n    password_env: SOAK_REPL_PASSWORD\n  failover: off`,
    "logging:\n  level: silent\n  query_log:\n    enabled: false",
    `policy:\n  files:\n    - ${join(here, "..", "policies", "primary-only.policy")}`,
  ].join("\n");
  writeFileSync(join(dir, "sluice.yaml"), `${config}\n`);
  process.env.SOAK_APP_PASSWORD = app.password;
  process.env.SOAK_MONITOR_PASSWORD = monitor.password;
  process.env.SOAK_REPL_PASSWORD = repl.password;
  try {
    const started = await SluiceRuntime.start(join(dir, "sluice.yaml"), quiet);
    if (started.kind === "started") return started.runtime;
    runtimeNote = `SluiceRuntime refused the soak config:\n${started.report}`;
  } catch (e) {
    runtimeNote = `SluiceRuntime failed to start: ${(e as Error).message}`;
  }
  return undefined;
}

const connectTo = (p: ProxyHandle) => () =>
  mysql.createConnection({
    host: p.host,
    port: p.port,
    user: app.user,
    password: app.password,
    database: cluster.info.database,
    connectTimeout: 5000,
  });

async function fault(name: string, action: () => Promise<void>): Promise<void> {
  faults[name] = (faults[name] ?? 0) + 1;
  say(`fault: ${name}`);
  await action();
}

const loads: { name: string; load: LedgerLoad }[] = [];
try {
  runtime = await startRuntime();
  say(
    runtime === undefined
      ? `runtime: not used (${runtimeNote.split("\n")[0]})`
      : `runtime: serving on ${runtime.proxy.port}`,
  );
  split = await startProxy(
    {
      listen: { host: "127.0.0.1", port: 0 },
      servers: cluster.info.servers.map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role })),
      users: [{ name: app.user, password: app.password }],
      pool: { minIdle: 1, maxIdle: 4, connectTimeoutMs: 1500, acquireTimeoutMs: 2000 },
      logger: quiet,
    },
    { chooser: readsTo("replica1") },
  );
  const setup = await connectTo(split)();
  for (const t of ["soak_ledger_runtime", "soak_ledger_split"]) await LedgerLoad.createTable(setup, t);
  await setup.end();
  await control.waitForReplication();
  const main = runtime?.proxy ?? split;
  loads.push({
    name: runtime === undefined ? "split (runtime unavailable)" : "runtime",
    load: new LedgerLoad({
      connect: connectTo(main),
      table: "soak_ledger_runtime",
      writers: 4,
      readers: 2,
      thinkMs: 10,
    }),
  });
  loads.push({
    name: "split",
    load: new LedgerLoad({
      connect: connectTo(split),
      table: "soak_ledger_split",
      writers: 2,
      readers: 4,
      thinkMs: 10,
    }),
  });
  for (const { load } of loads) load.start();

  const reloader =
    runtime === undefined
      ? undefined
      : setInterval(() => {
          void runtime?.reload().then(
            (r) => (r.kind === "ok" ? reloads.ok++ : reloads.failed++),
            () => reloads.failed++,
          );
        }, 1000);

  const end = Date.now() + minutes * 60_000;
  const replica1 = control.server("replica1");
  const replica2 = control.server("replica2");
  for (let cycle = 1; Date.now() < end; cycle++) {
    await sleep(4000);
    await fault("replica1 kill -9", async () => {
      await control.kill(replica1);
      await sleep(3000);
      await control.start(replica1);
    });
    await sleep(4000);
    await fault("replica2 SIGSTOP 3s", async () => {
      await control.pause(replica2);
      await sleep(3000);
      await control.resume(replica2);
    });
    await sleep(4000);
    await fault("replica1 restart", () => control.restart(replica1));
    if (cycle % 3 === 0 && Date.now() < end - 10_000) {
      await sleep(4000);
      await fault("primary kill -9", async () => {
        await control.kill(control.primary);
        await sleep(2000);
        await control.start(control.primary);
      });
    }
    await restoreCluster(control);
    const s = loads.reduce((n, { load }) => n + load.tally.statements, 0);
    say(`cycle ${cycle}: ${s} statements so far, reloads ${reloads.ok} ok / ${reloads.failed} failed`);
  }
  if (reloader !== undefined) clearInterval(reloader);
  await restoreCluster(control);
  await sleep(2000);

  const result: Record<string, unknown> = { minutes, startedRuntime: runtime !== undefined, runtimeNote };
  const perLoad: Record<
    string,
    LoadTally & { stuck: boolean; lostOnPrimary: number; lostOnReplicas: number }
  > = {};
  for (const { name, load } of loads) {
    const stuck = !(await load.stop());
    const onPrimary = await load.missingAcknowledged((sql) =>
      control.rootQuery(control.primary, `USE ${cluster.info.database}`, sql),
    );
    await control.waitForReplication(60_000);
    let onReplicas = 0;
    for (const r of control.replicas) {
      onReplicas += (
        await load.missingAcknowledged((sql) => control.rootQuery(r, `USE ${cluster.info.database}`, sql))
      ).length;
    }
    perLoad[name] = { ...load.tally, stuck, lostOnPrimary: onPrimary.length, lostOnReplicas: onReplicas };
    if (stuck || onPrimary.length > 0 || onReplicas > 0) exitCode = 1;
  }
  let baseline = "ok";
  try {
    await expectPoolsAtBaseline(control, runtime === undefined ? [split] : [runtime.proxy, split], app.user);
  } catch (e) {
    baseline = (e as Error).message;
    exitCode = 1;
  }
  const errors: Record<string, number> = {};
  for (const t of Object.values(perLoad))
    for (const [k, v] of Object.entries(t.errors)) errors[k] = (errors[k] ?? 0) + v;
  const tally = {
    statements: Object.values(perLoad).reduce((n, t) => n + t.statements, 0),
    acknowledgedWrites: Object.values(perLoad).reduce((n, t) => n + t.acknowledgedWrites, 0),
    errorsByCategory: errors,
    faults,
    failovers: 0, // the monitor runs with failover off: the proxy does not follow topology changes yet
    reloads,
    lostWrites: Object.values(perLoad).reduce((n, t) => n + t.lostOnPrimary + t.lostOnReplicas, 0),
    stuckWorkers: Object.values(perLoad).filter((t) => t.stuck).length,
    poolsAtBaseline: baseline,
  };
  Object.assign(result, { tally, perLoad });
  const out = join(here, "results", `${new Date().toISOString().slice(0, 10)}-soak.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(tally, null, 2)}\n`);
  say(`wrote ${out}`);
} catch (e) {
  say(`soak failed: ${(e as Error).stack ?? String(e)}`);
  exitCode = 1;
} finally {
  for (const { load } of loads) await load.stop(1000).catch(() => false);
  await runtime?.shutdown().catch(() => {});
  await split?.close().catch(() => {});
  await cluster.stop();
}
process.exit(exitCode);
