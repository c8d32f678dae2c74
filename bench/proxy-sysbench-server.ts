/**
 * Runs Sluice alone in a process so bench/proxy-sysbench.ts can read its CPU time from /proc.
 * Reads ProxyOptions (without logger) as JSON from argv[2]; prints "PORT <n>" when listening.
 */
import { startProxy } from "../src/runtime/proxy.js";
import type { ProxyOptions } from "../src/runtime/proxy-options.js";

const options = JSON.parse(process.argv[2] ?? "{}") as ProxyOptions;
const proxy = await startProxy(options);
process.stdout.write(`PORT ${proxy.port}\n`);
process.on("SIGTERM", () => {
  process.stdout.write(`COUNTERS ${JSON.stringify({ ...proxy.counters, pool: proxy.poolCounters })}\n`);
  proxy.close().then(() => process.exit(0));
});
