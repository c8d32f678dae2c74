/**
 * MariaDB's mysql-test `main` suite, run with `mariadb-test-run.pl --extern` straight against a
 * local cluster's primary and through Sluice (policies/default.policy by default); prints, per
 * test, the direct and the Sluice result and the first lines of each difference.
 *
 *   npm run suites -- mysql-test [--mode normal|ps|cursor|compress|all] [--tests a,b|file]
 *                                [--policy file] [--direct-only] [--out dir]
 *
 * The default selection (mysql-test-main.list) is tests that pass direct; mysql-test-skip.list
 * documents the ones that don't or can't run against an --extern server.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { startRoutedProxy } from "../integration/proxy-helpers.js";
import {
  firstLines,
  MTR_LIKE_SERVER_OPTIONS,
  MTR_MODES,
  type MtrMode,
  type MtrResult,
  mariadbTestInstalled,
  prepareServers,
  readTestList,
  repairReplicas,
  runMtr,
  writeWrapper,
} from "./mtr-harness.js";

const here = dirname(fileURLToPath(import.meta.url));

export async function mysqlTestMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mode: { type: "string", default: "normal" },
      tests: { type: "string", default: join(here, "mysql-test-main.list") },
      policy: { type: "string", default: "policies/default.policy" },
      "direct-only": { type: "boolean", default: false },
      // by default only tests that passed direct (in the same mode) are run through Sluice
      "sluice-all": { type: "boolean", default: false },
      out: { type: "string" },
      "diff-lines": { type: "string", default: "6" },
    },
  });
  if (!mariadbTestInstalled()) {
    process.stderr.write("mariadb-test is not installed: apt-get install -y mariadb-test\n");
    return 2;
  }
  const modes: MtrMode[] = values.mode === "all" ? [...MTR_MODES] : (values.mode.split(",") as MtrMode[]);
  for (const m of modes) if (!MTR_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
  const tests = readTestList(values.tests);
  const diffLines = Number(values["diff-lines"]);
  const commit = execFileSync("git", ["log", "-1", "--format=%h"], { encoding: "utf8" }).trim();
  const root = values.out ?? mkdtempSync(join(tmpdir(), "sluice-mtr-"));
  mkdirSync(root, { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`mysql-test: ${tests.length} tests, modes ${modes.join(",")}, commit ${commit}, output in ${root}`);

  const cluster = await startLocalCluster({
    log: (l) => log(`[cluster] ${l}`),
    // The vardirs and the datadirs live under `root`, and so may SELECT … INTO OUTFILE and
    // LOAD DATA files (in $MYSQLTEST_VARDIR or relative to the datadir), as under mtr.
    parentDir: root,
    serverOptions: [...MTR_LIKE_SERVER_OPTIONS, `--secure-file-priv=${root}`],
  });
  let proxy: ProxyHandle | undefined;
  // Ctrl-C: stop the servers (the reaper would too, but only once this process is gone).
  const onSignal = () => {
    void cluster.stop().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { control } = cluster;
    await prepareServers(control.primary, control.replicas);
    const wrapper = writeWrapper(join(root, "wrapper"), control.primary, control.replicas);
    if (!values["direct-only"]) {
      const { app, monitor } = cluster.info.users;
      ({ proxy } = await startRoutedProxy(control, values.policy, {
        // mysql-test logs in as root with no password (root@localhost, as mtr's bootstrap makes it).
        users: [
          { name: "root", password: "" },
          { name: app.user, password: app.password },
          { name: monitor.user, password: monitor.password },
        ],
        pool: { minIdle: 1, maxIdle: 8, maxPerServer: 200 },
      }));
    }
    const summary: Record<string, { direct: MtrResult[]; sluice?: MtrResult[] }> = {};
    let differing = 0;
    for (const mode of modes) {
      const started = Date.now();
      const progress = (tag: string) => (line: string) => {
        if (/^main\.\S+.*\[ (pass|fail|skipped)/.test(line)) log(`  [${mode} ${tag}] ${line.trim()}`);
      };
      log(`== ${mode}: direct against the primary (port ${control.primary.port})`);
      const direct = await runMtr({
        port: control.primary.port,
        mode,
        tests,
        workDir: join(root, `${mode}-direct`),
        wrapper,
        direct: true,
        onLine: progress("direct"),
      });
      let sluice: MtrResult[] | undefined;
      if (proxy !== undefined) {
        log(`== ${mode}: through Sluice (${values.policy}, port ${proxy.port})`);
        const chosen = values["sluice-all"]
          ? tests
          : direct.filter((r) => r.outcome === "pass").map((r) => r.test);
        const ran =
          chosen.length === 0
            ? []
            : await runMtr({
                port: proxy.port,
                mode,
                tests: chosen,
                workDir: join(root, `${mode}-sluice`),
                wrapper,
                onLine: progress("sluice"),
              });
        const byTest = new Map(ran.map((r) => [r.test, r]));
        // Each test that failed through Sluice runs again on its own, right after the replicas
        // were put back on the primary's position: in a long sequence a test that stops
        // replication (statement-logged function calls that failed on the primary, …) leaves
        // later tests reading from a stopped replica, and a difference must be the test's own.
        for (const r of ran) {
          if (r.outcome !== "fail") continue;
          const before = await repairReplicas(control.primary, control.replicas);
          const [again] = await runMtr({
            port: proxy.port,
            mode,
            tests: [r.test],
            workDir: join(root, `${mode}-alone`, r.test),
            wrapper,
          });
          const broke = await repairReplicas(control.primary, control.replicas);
          const notes = [
            ...(before.length > 0 ? [`replicas stopped before it ran alone: ${before.join("; ")}`] : []),
            ...(broke.length > 0 ? [`replicas stopped during it: ${broke.join("; ")}`] : []),
          ];
          log(`  [${mode} sluice alone] ${r.test}: ${again?.outcome ?? "?"} ${notes.join(" ")}`);
          byTest.set(r.test, {
            test: r.test,
            outcome: again?.outcome === "pass" ? "pass" : r.outcome,
            detail:
              again?.outcome === "pass"
                ? `failed in sequence, passed alone: ${r.detail}`
                : [...notes, again?.detail ?? r.detail].join("\n"),
          });
        }
        sluice = direct.map(
          (d) =>
            byTest.get(d.test) ?? { test: d.test, outcome: "not-run", detail: "failed or skipped direct" },
        );
      }
      summary[mode] = sluice === undefined ? { direct } : { direct, sluice };
      differing += printTable(mode, direct, sluice, diffLines, commit, Date.now() - started);
    }
    writeFileSync(
      join(root, "summary.json"),
      JSON.stringify({ commit, policy: values.policy, summary }, null, 2),
    );
    log(`results: ${join(root, "summary.json")}; mtr logs under ${root}/<mode>-<target>/var/log`);
    return differing === 0 ? 0 : 1;
  } finally {
    await proxy?.close();
    await cluster.stop();
  }
}

function printTable(
  mode: MtrMode,
  direct: readonly MtrResult[],
  sluice: readonly MtrResult[] | undefined,
  diffLines: number,
  commit: string,
  ms: number,
): number {
  const out: string[] = [];
  const width = Math.max(20, ...direct.map((r) => r.test.length));
  out.push("", `mode ${mode} (commit ${commit}, ${Math.round(ms / 1000)} s)`);
  out.push(`${"test".padEnd(width)}  ${"direct".padEnd(8)}  sluice`);
  let same = 0;
  let differ = 0;
  const counts = { pass: 0, fail: 0, skipped: 0, missing: 0, "not-run": 0 };
  for (const [i, d] of direct.entries()) {
    const s = sluice?.[i];
    counts[d.outcome]++;
    const differs = s !== undefined && s.outcome !== "not-run" && s.outcome !== d.outcome;
    if (differs) differ++;
    else same++;
    out.push(
      `${d.test.padEnd(width)}  ${d.outcome.padEnd(8)}  ${s?.outcome ?? "-"}${differs ? "   <-- differs" : ""}`,
    );
    if (differs) {
      const failing = s.outcome === "fail" ? s : d;
      for (const l of firstLines(failing.detail, diffLines).split("\n")) out.push(`      | ${l}`);
    }
  }
  out.push(
    `mode ${mode}: ${direct.length} tests; direct pass ${counts.pass}, fail ${counts.fail}, skipped ${counts.skipped}, missing ${counts.missing}` +
      (sluice === undefined ? "" : `; same result through Sluice ${same}, different ${differ}`),
  );
  process.stdout.write(`${out.join("\n")}\n`);
  return differ;
}
