import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCluster } from "../support/cluster.js";
import { rejectionOf } from "./proxy-helpers.js";
import { metricSum, type ServeProcess, startServe, waitFor } from "./serve-process.js";

/**
 * `sluice serve` signals against a real process, alone and with two workers: SIGUSR2 reopens the
 * log files logrotate moved, SIGHUP applies a new `pools.statement_timeout_ms`.
 */
const cluster = useCluster();

type LogLine = Record<string, unknown>;

function lines(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as LogLine);
}

describe.each([
  { mode: "one process", args: [] as string[] },
  { mode: "--workers 2", args: ["--workers", "2"] },
])("sluice serve ($mode)", ({ args }) => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-signals-"));
  const log = join(dir, "sluice.log");
  const queryLog = join(dir, "query.log");
  const workers = args.length > 0;
  let serve: ServeProcess;
  const open: mysql.Connection[] = [];

  beforeAll(async () => {
    serve = await startServe(cluster, dir, {
      policyPath: join(process.cwd(), "policies/default.policy"),
      args,
      config: (yaml) =>
        yaml
          .replace(
            "pools:\n  multiplexing: true\n",
            "pools:\n  multiplexing: true\n  statement_timeout_ms: 60000\n",
          )
          .replace(
            "logging:\n  level: info\n",
            `logging:\n  level: info\n  destination: ${JSON.stringify(log)}\n  query_log:\n    full: true\n` +
              `    redact_literals: false\n    destination: ${JSON.stringify(queryLog)}\n`,
          ),
    });
  });

  afterAll(() => {
    for (const c of open) c.destroy();
    serve?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `n` clients, opened one after the other (with workers, dealt out to both in turn). */
  async function clients(n: number): Promise<mysql.Connection[]> {
    const conns: mysql.Connection[] = [];
    for (let i = 0; i < n; i++) conns.push(await serve.client());
    open.push(...conns);
    return conns;
  }

  /** Sessions of `conns` that logged `statement` in the query log at `path`. */
  const logged = (path: string, statement: string, conns: readonly mysql.Connection[]) =>
    lines(path)
      .filter((l) => l.statement === statement && conns.some((c) => c.threadId === l.session))
      .map((l) => l.session);

  it("SIGUSR2 reopens the log files at their paths: later lines go to the new files, none to the moved ones", async () => {
    const before = await clients(4);
    for (const c of before) await c.query("SELECT 'rotation-before' AS r");
    await waitFor(
      "the first lines in the query log",
      async () => logged(queryLog, "SELECT 'rotation-before' AS r", before).length === 4,
    );
    // what logrotate does: move the files, then signal
    renameSync(log, `${log}.1`);
    renameSync(queryLog, `${queryLog}.1`);
    serve.child.kill("SIGUSR2");
    // with workers, the primary says so once every worker has reopened its files
    await waitFor("the reopen confirmed in the new log", async () =>
      lines(log).some((l) => l.msg === "log files reopened"),
    );

    const after = await clients(4);
    const everyone = [...before, ...after];
    for (const c of everyone) await c.query("SELECT 'rotation-after' AS r");
    const logins = (path: string) =>
      lines(path).filter((l) => l.msg === "login" && after.some((c) => c.threadId === l.session));
    await waitFor(
      "the later lines in the new files",
      async () =>
        logged(queryLog, "SELECT 'rotation-after' AS r", everyone).length === 8 && logins(log).length === 4,
    );

    expect(logged(`${queryLog}.1`, "SELECT 'rotation-before' AS r", everyone)).toHaveLength(4);
    expect(logged(`${queryLog}.1`, "SELECT 'rotation-after' AS r", everyone)).toEqual([]);
    expect(logged(queryLog, "SELECT 'rotation-before' AS r", everyone)).toEqual([]);
    expect(logins(`${log}.1`)).toEqual([]);
    // with workers, both workers' own logs moved too
    if (workers) expect(new Set(logins(log).map((l) => l.worker))).toEqual(new Set([1, 2]));
  });

  it("SIGHUP applies a new pools.statement_timeout_ms to the next statements and names what needs a restart, which SHOW SERVERS does not show", async () => {
    const conns = await clients(4);
    if (workers) expect(new Set(conns.map((c) => (c.threadId - 1) % 2))).toEqual(new Set([0, 1]));
    // under the 60 s limit the config starts with, a statement longer than 500 ms finishes
    for (const c of conns) await c.query("SELECT SLEEP(0.7) AS slept");

    const config = join(dir, "sluice.yaml");
    writeFileSync(
      config,
      readFileSync(config, "utf8")
        .replace("statement_timeout_ms: 60000", "statement_timeout_ms: 500")
        .replace("multiplexing: true\n", "multiplexing: true\n  max_per_server: 50\n")
        .replace(
          "\nusers:\n",
          "\n  - name: ghost\n    host: 127.0.0.1\n    port: 1\n    role: replica\nusers:\n",
        ),
    );
    serve.child.kill("SIGHUP");
    await waitFor(
      "the reload",
      async () => metricSum(await serve.metrics(), "sluice_reloads_total", { result: "ok" }) === 1,
    );

    const errors = await Promise.all(conns.map((c) => rejectionOf(c.query("SELECT SLEEP(3) AS marker"))));
    for (const err of errors) {
      expect(err.errno).toBe(1969);
      expect(err.sqlState).toBe("70100");
      expect(err.message).toBe(
        "Query execution was interrupted (max_statement_time exceeded) by Sluice after 500 ms",
      );
    }
    for (const c of conns) expect((await c.query("SELECT 1 AS one"))[0]).toEqual([{ one: 1 }]);

    const restartWarning = () => lines(log).find((l) => l.level === "warn" && Array.isArray(l.settings));
    await waitFor("the restart warning in the log", async () => restartWarning() !== undefined);
    const warning = restartWarning();
    expect(warning?.settings).toEqual(["servers", "pools.max_per_server"]);
    expect(warning?.msg).toMatch(/only a restart applies.*servers, pools\.max_per_server/);
    // SHOW SERVERS lists the servers Sluice runs with, not the ones the new file names
    const shown = (await serve.admin("SHOW SERVERS")).map((r) => r.name).sort();
    expect(shown).toEqual(cluster.info.servers.map((s) => s.name).sort());
  });
});
