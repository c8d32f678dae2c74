import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { runCampaign } from "../differential/campaign.js";
import { ciKinds, ignoredStatusBits, KNOWN_GAPS } from "../differential/known-gaps.js";
import { runRegressions } from "../differential/regressions.js";
import { formatCampaign, formatRun } from "../differential/report.js";
import { type Endpoint, SessionTables } from "../differential/tables.js";
import { useCluster } from "../support/cluster.js";
import { startRoutedProxy } from "./proxy-helpers.js";

/**
 * Generative differential test (issue 23, deliverable 1, CI-sized): random sessions over the
 * statement kinds of test/differential/grammar.ts (all but KNOWN_GAPS) run straight against the
 * primary and through Sluice, 16 at once so they share its pooled backend connections, each on a
 * table of its own with the same rows on both sides. Every statement's answer (error code, columns
 * and types, rows, affected rows, insert id, warnings, status flags, session-track changes) and
 * every table's final rows must be the same; a failure is shrunk to a minimal script in the
 * message. Seeded, so a run is repeatable. Longer runs: `npm run differential -- --sessions N`,
 * or here: SLUICE_DIFF_RUNS=500 SLUICE_DIFF_SEED=$RANDOM npx vitest run --project integration
 * test/integration/differential.test.ts. SLUICE_DIFF_INCLUDE=name,name tests what known gaps of
 * those names leave out (to check a fix before taking its entry out of KNOWN_GAPS).
 */
const cluster = useCluster();
const RUNS = Number(process.env.SLUICE_DIFF_RUNS ?? 40);
const SEED = Number(process.env.SLUICE_DIFF_SEED ?? 2026_12_04);
const INCLUDE = (process.env.SLUICE_DIFF_INCLUDE ?? "").split(",").filter((k) => k !== "");
const gaps = Object.fromEntries(Object.entries(KNOWN_GAPS).filter(([k]) => !INCLUDE.includes(k)));

const endpoint = (s: { host: string; port: number }): Endpoint => ({
  host: s.host,
  port: s.port,
  user: cluster.info.users.app.user,
  password: cluster.info.users.app.password,
});
let tables: SessionTables;

beforeAll(async () => {
  tables = new SessionTables(endpoint(cluster.primary), cluster.replicas.map(endpoint), [
    "diff_direct",
    "diff_sluice",
  ]);
  await tables.prepare();
});

afterAll(async () => {
  await tables?.dropDatabases();
  await tables?.close();
});

describe.each(["default", "primary-only"])("random sessions through policies/%s.policy", (policy) => {
  let proxy: ProxyHandle;

  beforeAll(async () => {
    ({ proxy } = await startRoutedProxy(cluster, `policies/${policy}.policy`, {
      // 16 sessions at once over 8 connections per server: they take turns on the same ones
      pool: { minIdle: 0, maxIdle: 4, maxPerServer: 8, acquireTimeoutMs: 30_000 },
    }));
  });

  afterAll(async () => {
    await proxy?.close();
  });

  const env = () => ({
    tables,
    direct: { endpoint: endpoint(cluster.primary), db: "diff_direct" },
    through: { endpoint: endpoint(proxy), db: "diff_sluice" },
    ignoreStatusBits: ignoredStatusBits(gaps),
  });

  it("answer the minimal scripts of fixed gaps (test/differential/regressions.ts) as one server does", async () => {
    const failing = await runRegressions(env(), gaps);
    const report = failing.map(
      (f) => `-- ${f.gap}: out of KNOWN_GAPS, but its script still fails\n${formatRun(f.result)}`,
    );
    expect(failing.length, report.join("\n\n")).toBe(0);
  }, 120_000);

  it("answer as one server does, statement by statement, and store the same rows", async () => {
    const result = await runCampaign(env(), {
      sessions: RUNS,
      concurrency: 16,
      seed: SEED,
      kinds: ciKinds(gaps),
      maxLength: 25,
      shrink: { categories: 3, timeMs: 20_000, copies: 4 },
    });
    const report = formatCampaign(`policies/${policy}.policy, seed ${SEED}`, result);
    expect(result.failures.length, report).toBe(0);
  }, 300_000);
});
