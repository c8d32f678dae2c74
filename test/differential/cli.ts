/**
 * Long differential run (issue 23): random sessions straight on the primary and through Sluice,
 * many at once, on a cluster of its own; prints sessions, statements, mismatches by category,
 * Sluice's 1105 errors and a minimal script per failure category.
 *
 *   npm run differential -- --sessions 2000 [--policy default|primary-only] [--concurrency 16]
 *     [--seed S] [--length 30] [--ci] [--only k1,k2] [--exclude k1,k2] [--shrink 8] [--self-check]
 *
 * --ci leaves out what the CI run leaves out (known-gaps.ts); --self-check runs the "through" side straight on
 * the primary too (the tester must then find nothing). Exit code 1 when anything differs.
 */
import { execFileSync } from "node:child_process";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { startRoutedProxy } from "../integration/proxy-helpers.js";
import { runCampaign } from "./campaign.js";
import { ALL_KINDS } from "./grammar.js";
import { ciKinds, ignoredStatusBits } from "./known-gaps.js";
import { formatCampaign } from "./report.js";
import { SessionTables } from "./tables.js";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => args.includes(`--${name}`);
const list = (name: string) => (arg(name) ?? "").split(",").filter((k) => k !== "");

const sessions = Number(arg("sessions") ?? 200);
const concurrency = Number(arg("concurrency") ?? 16);
const seed = Number(arg("seed") ?? Date.now() % 1_000_000);
const policies = arg("policy") === undefined ? ["default", "primary-only"] : [arg("policy") ?? ""];
const only = list("only");
const kinds = (only.length > 0 ? only : flag("ci") ? ciKinds() : ALL_KINDS).filter(
  (k) => !list("exclude").includes(k),
);
const say = (line: string) =>
  process.stderr.write(`[differential ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const commit = (() => {
  try {
    return execFileSync("git", ["log", "-1", "--format=%h"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
say(
  `commit ${commit}, seed ${seed}, ${sessions} sessions x ${policies.length} policies, ${concurrency} at once`,
);
say(`kinds: ${kinds.join(", ")}`);

const cluster = await startLocalCluster({ log: (l) => say(`cluster: ${l}`) });
const { app } = cluster.info.users;
const endpoint = (s: { host: string; port: number }) => ({
  host: s.host,
  port: s.port,
  user: app.user,
  password: app.password,
});
const primary = cluster.control.primary;
const tables = new SessionTables(endpoint(primary), cluster.control.replicas.map(endpoint), [
  "diff_direct",
  "diff_sluice",
]);
let failed = false;
try {
  await tables.prepare();
  for (const policy of policies) {
    let proxy: ProxyHandle | undefined;
    try {
      if (!flag("self-check")) {
        ({ proxy } = await startRoutedProxy(cluster.control, `policies/${policy}.policy`, {
          pool: {
            minIdle: 0,
            maxIdle: 4,
            maxPerServer: Math.max(2, concurrency / 2),
            acquireTimeoutMs: 30_000,
          },
        }));
      }
      const through = proxy === undefined ? endpoint(primary) : endpoint(proxy);
      const result = await runCampaign(
        {
          tables,
          direct: { endpoint: endpoint(primary), db: "diff_direct" },
          through: { endpoint: through, db: "diff_sluice" },
          ignoreStatusBits: flag("ci") ? ignoredStatusBits() : 0,
        },
        {
          sessions,
          concurrency,
          seed,
          kinds,
          maxLength: Number(arg("length") ?? 30),
          shrink: {
            categories: Number(arg("shrink") ?? 8),
            timeMs: Number(arg("shrink-ms") ?? 90_000),
            copies: 4,
          },
          log: say,
        },
      );
      const title = `${flag("self-check") ? "self-check (direct vs direct)" : `policies/${policy}.policy`}, commit ${commit}, seed ${seed}`;
      const report = formatCampaign(title, result);
      process.stdout.write(`${report}\n\n`);
      if (result.failures.length > 0) failed = true;
    } finally {
      await proxy?.close();
    }
  }
} finally {
  await tables.dropDatabases().catch(() => undefined);
  await tables.close();
  await cluster.stop();
}
process.exit(failed ? 1 : 0);
