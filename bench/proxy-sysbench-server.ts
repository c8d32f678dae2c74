/**
 * Runs Sluice alone in a process so the benches can read its CPU time and memory from /proc.
 * argv[2]: ProxyOptions (without logger) as JSON. Prints "PORT <n>" when listening; on SIGUSR2
 * prints "STATS <json>" (counters and open backend connections per server); on SIGTERM prints
 * "COUNTERS <json>" and exits normally (so `--cpu-prof` writes its profile).
 *
 * `--multiplex` (bench-only, until the routing integration provides it): a chooser that gives
 * the backend connection back to the pool after every response outside a transaction, so many
 * idle clients share few backend connections. It ignores session state (prepared statements,
 * variables), so it is only for workloads without any (bench/conn-scale).
 */

import { startProxy } from "../src/runtime/proxy.js";
import type { ProxyOptions } from "../src/runtime/proxy-options.js";
import type { BackendChooser } from "../src/session/backend-chooser.js";

const options = JSON.parse(process.argv[2] ?? "{}") as ProxyOptions;
const multiplex = process.argv.includes("--multiplex");

const releasing = (primary: string): BackendChooser => ({
  choose: () => primary,
  afterResponse: (ctx) => (ctx.inTransaction ? "keep" : "release"),
});

const proxy = await startProxy(options, multiplex ? { chooser: releasing } : {});
process.stdout.write(`PORT ${proxy.port}\n`);

function stats(): string {
  const open = Object.fromEntries(options.servers.map((s) => [s.name, proxy.openBackendConnections(s.name)]));
  return JSON.stringify({ ...proxy.counters, pool: proxy.poolCounters, openBackendConnections: open });
}

process.on("SIGUSR2", () => process.stdout.write(`STATS ${stats()}\n`));
process.on("SIGTERM", () => {
  process.stdout.write(`COUNTERS ${stats()}\n`);
  proxy.close().then(() => process.exit(0));
});
