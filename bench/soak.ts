/**
 * Soak: a mixed mysql2 workload through Sluice for N minutes while servers fail and the config is
 * reloaded, then a tally (statements, errors by category, failovers, reloads, lost writes).
 *
 *   npm run soak -- --minutes 30
 *
 * Starts its own cluster (primary + 2 replicas, src/cluster, semi-synchronous replication so an
 * acknowledged commit is on a replica before the client hears OK) and the real `SluiceRuntime` in
 * front of it, as `sluice demo` runs it: policies/default.policy (reads on replicas), the monitor
 * with failover auto, reloaded once a second as SIGHUP would. Faults, in a cycle, chosen by the
 * roles the monitor reports at that moment: kill -9 of a replica (restarted 3 s later), SIGSTOP
 * of the other replica for 3 s, a clean restart of a replica, and every third cycle kill -9 of the
 * primary: the monitor fails over, the old primary is started again and must rejoin as a replica;
 * when it cannot (it binlogged a commit no replica received before it died, which only a rebuild
 * mends), the soak rebuilds it from the new primary and counts it.
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
import { DEMO_SECRETS, demoConfigYaml } from "../src/cli/demo-config.js";
import { freePorts } from "../src/cluster/free-port.js";
import { startLocalCluster } from "../src/cluster/local-cluster.js";
import { rebuildAsReplica } from "../src/cluster/rebuild.js";
import type { ServerInfo } from "../src/cluster/types.js";
import { SluiceRuntime } from "../src/runtime/sluice-runtime.js";
import { expectPoolsAtBaseline } from "../test/support/fault-cluster.js";
import { LedgerLoad } from "../test/support/fault-load.js";

const here = dirname(fileURLToPath(import.meta.url));
const argIndex = process.argv.indexOf("--minutes");
const minutes = Number(argIndex >= 0 ? process.argv[argIndex + 1] : (process.env.SOAK_MINUTES ?? 5));
if (!(minutes > 0)) throw new Error("usage: npm run soak -- --minutes N");
const say = (line: string) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const SEMI_SYNC = [
  "--rpl-semi-sync-master-enabled=ON",
  "--rpl-semi-sync-slave-enabled=ON",
  "--rpl-semi-sync-master-timeout=5000",
];
const cluster = await startLocalCluster({
  replicas: 2,
  serverOptions: SEMI_SYNC,
  log: (l) => say(`cluster: ${l}`),
});
const control = cluster.control;
const { app } = cluster.info.users;
const quiet = pino({ level: process.env.SLUICE_LOG_LEVEL ?? "silent" });
const faults: Record<string, number> = {};
const reloads = { ok: 0, failed: 0 };
let failovers = 0;
let rebuilds = 0;
let runtime: SluiceRuntime | undefined;
let exitCode = 0;

async function startRuntime(): Promise<SluiceRuntime> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-soak-"));
  const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
  const configPath = join(dir, "sluice.yaml");
  writeFileSync(
    configPath,
    demoConfigYaml(cluster.info, { proxy, admin, http }, join(here, "..", "policies", "default.policy")),
  );
  for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] = value(cluster.info);
  const started = await SluiceRuntime.start(configPath, quiet);
  if (started.kind === "invalid")
    throw new Error(`SluiceRuntime refused the soak config:\n${started.report}`);
  return started.runtime;
}

async function until(what: string, check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      say(`gave up waiting ${ms} ms for ${what}`);
      return false;
    }
    await sleep(100);
  }
  return true;
}

/** Roles as the monitor sees them now (the cluster's own names stop meaning roles after a failover). */
function roles(rt: SluiceRuntime): { primary: ServerInfo; replicas: ServerInfo[] } {
  const name = rt.monitor.topology?.primary ?? "primary";
  return {
    primary: control.server(name),
    replicas: cluster.info.servers.filter((s) => s.name !== name),
  };
}

/** Every server up, the primary writable and every other server replicating from someone. */
function allUp(rt: SluiceRuntime): boolean {
  const t = rt.monitor.topology;
  if (t === null) return false;
  return t.servers.every(
    (s) => s.state === "up" && (s.name === t.primary ? s.acceptsWrites : s.replicatesFrom !== null),
  );
}

async function fault(name: string, action: () => Promise<void>): Promise<void> {
  faults[name] = (faults[name] ?? 0) + 1;
  say(`fault: ${name}`);
  await action();
}

/** kill -9 of the primary: wait for the failover, then bring the old primary back as a replica. */
async function primaryCrash(rt: SluiceRuntime): Promise<void> {
  const old = roles(rt).primary;
  await control.kill(old);
  if (!(await until("a failover", () => (rt.monitor.topology?.primary ?? old.name) !== old.name, 30_000))) {
    await control.start(old); // no failover happened: the same primary comes back
    return;
  }
  failovers++;
  say(`failover: ${old.name} -> ${rt.monitor.topology?.primary}`);
  await control.start(old);
  const rejoined = await until(
    `${old.name} to rejoin as a replica`,
    () => rt.monitor.topology?.servers.find((s) => s.name === old.name)?.replicatesFrom != null && allUp(rt),
    30_000,
  );
  if (!rejoined) {
    rebuilds++;
    say(`rebuilding ${old.name} from ${roles(rt).primary.name}`);
    await rebuildAsReplica(control, old, roles(rt).primary);
  }
}

/** Every server running, not paused, in rotation and caught up with the primary. */
async function restore(rt: SluiceRuntime): Promise<void> {
  for (const server of cluster.info.servers) {
    await control.resume(server);
    if (!control.isRunning(server)) await control.start(server);
  }
  await until("every server to be up", () => allUp(rt), 60_000);
  await control.waitForReplication(60_000, roles(rt).primary);
}

const loads: { name: string; load: LedgerLoad }[] = [];
try {
  runtime = await startRuntime();
  const rt = runtime;
  say(`runtime: serving on ${rt.proxy.port}`);
  await until(
    "the monitor to lead with every server up",
    () => rt.monitor.topology?.leader === true && allUp(rt),
    30_000,
  );
  const connect = () =>
    mysql.createConnection({
      host: rt.proxy.host,
      port: rt.proxy.port,
      user: app.user,
      password: app.password,
      database: cluster.info.database,
      connectTimeout: 5000,
    });
  const setup = await connect();
  await LedgerLoad.createTable(setup, "soak_ledger");
  await setup.end();
  await control.waitForReplication();
  loads.push({
    name: "runtime",
    load: new LedgerLoad({ connect, table: "soak_ledger", writers: 4, readers: 4, thinkMs: 10 }),
  });
  for (const { load } of loads) load.start();

  const reloader = setInterval(() => {
    void rt.reload().then(
      (r) => (r.kind === "ok" ? reloads.ok++ : reloads.failed++),
      () => reloads.failed++,
    );
  }, 1000);

  const end = Date.now() + minutes * 60_000;
  for (let cycle = 1; Date.now() < end; cycle++) {
    const [first, second] = roles(rt).replicas;
    await sleep(4000);
    if (first !== undefined)
      await fault("replica kill -9", async () => {
        await control.kill(first);
        await sleep(3000);
        await control.start(first);
      });
    await sleep(4000);
    if (second !== undefined)
      await fault("replica SIGSTOP 3s", async () => {
        await control.pause(second);
        await sleep(3000);
        await control.resume(second);
      });
    await sleep(4000);
    if (first !== undefined) await fault("replica restart", () => control.restart(first));
    if (cycle % 3 === 0 && Date.now() < end - 30_000) {
      await restore(rt);
      await sleep(4000);
      await fault("primary kill -9", () => primaryCrash(rt));
    }
    await restore(rt);
    const s = loads.reduce((n, { load }) => n + load.tally.statements, 0);
    say(
      `cycle ${cycle}: ${s} statements so far, primary ${roles(rt).primary.name}, ` +
        `failovers ${failovers}, reloads ${reloads.ok} ok / ${reloads.failed} failed`,
    );
  }
  clearInterval(reloader);
  await restore(rt);
  await sleep(2000);

  const result: Record<string, unknown> = { minutes };
  const perLoad: Record<string, unknown> = {};
  let lostWrites = 0;
  let stuckWorkers = 0;
  const { primary } = roles(rt);
  for (const { name, load } of loads) {
    const stuck = !(await load.stop());
    const inDb = (server: ServerInfo) => (sql: string) =>
      control.rootQuery(server, `USE ${cluster.info.database}`, sql);
    const onPrimary = (await load.missingAcknowledged(inDb(primary))).length;
    await control.waitForReplication(60_000, primary);
    let onReplicas = 0;
    for (const r of roles(rt).replicas) onReplicas += (await load.missingAcknowledged(inDb(r))).length;
    perLoad[name] = { ...load.tally, stuck, lostOnPrimary: onPrimary, lostOnReplicas: onReplicas };
    lostWrites += onPrimary + onReplicas;
    if (stuck) stuckWorkers++;
  }
  let baseline = "ok";
  try {
    await expectPoolsAtBaseline(control, rt.proxy, app.user);
  } catch (e) {
    baseline = (e as Error).message;
  }
  if (lostWrites > 0 || stuckWorkers > 0 || baseline !== "ok") exitCode = 1;
  const errors: Record<string, number> = {};
  let statements = 0;
  let acknowledgedWrites = 0;
  let failedWrites = 0;
  let failedReads = 0;
  for (const { load } of loads) {
    statements += load.tally.statements;
    acknowledgedWrites += load.tally.acknowledgedWrites;
    failedWrites += load.tally.failedWrites;
    failedReads += load.tally.failedReads;
    for (const [k, v] of Object.entries(load.tally.errors)) errors[k] = (errors[k] ?? 0) + v;
  }
  const tally = {
    statements,
    acknowledgedWrites,
    errorsByCategory: errors,
    failedWrites,
    failedReads,
    faults,
    failovers,
    rebuilds,
    finalPrimary: primary.name,
    reloads,
    lostWrites,
    stuckWorkers,
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
  await cluster.stop();
}
process.exit(exitCode);
