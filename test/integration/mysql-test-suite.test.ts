/**
 * A CI-sized piece of MariaDB's own mysql-test `main` suite, run with `mariadb-test-run.pl
 * --extern` straight against the shared cluster's primary and then through Sluice with
 * policies/default.policy: every test that passes direct must pass through Sluice too.
 * The full run (a few hundred tests, every protocol mode) is `npm run suites -- mysql-test`.
 * Skipped when Debian's `mariadb-test` package is not installed (.ci/run installs it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import {
  firstLines,
  type MtrMode,
  type MtrResult,
  mariadbTestInstalled,
  prepareServers,
  runMtr,
  unprepareServers,
  writeWrapper,
} from "../suites/mtr-harness.js";
import { useCluster } from "../support/cluster.js";
import { startRoutedProxy } from "./proxy-helpers.js";

/**
 * Tests chosen for the session state they exercise (user and system variables, warnings,
 * FOUND_ROWS, LAST_INSERT_ID, prepared statements, temporary tables, transactions, stored
 * procedures and cursors) among those that pass direct on the shared cluster (utf8mb4 server,
 * skip-name-resolve: tests whose results assume mtr's latin1 root@localhost server fail direct
 * there and are not listed).
 */
const CI_TESTS: readonly string[] = [
  "auto_increment",
  "commit",
  "consistent_snapshot",
  "flush_block_commit",
  "func_if",
  "func_isnull",
  "func_rollback",
  "handler_read_last",
  "insert_returning_datatypes",
  "limit",
  "locked_temporary-5955",
  "ps_11bugs",
  "ps_2myisam",
  "ps_innodb",
  "ps_missed_cmds_not_embedded",
  "select_found",
  "signal",
  "sp-anchor-type",
  "sp-cursor",
  "sp-dynamic",
  "sp-for-loop",
  "sp-group",
  "sp-innodb",
  "sp-row",
  "sp-vars",
  "sp_trans",
  "tmp_table_error",
  "transaction_timeout",
  "truncate-stale-6500",
  "union_innodb",
  "user_var",
];

/**
 * Tests that pass direct and fail through Sluice today: real Sluice bugs, not expected behaviour.
 * Each says what differs. They still run (so a fix shows up in the log) but do not fail the test;
 * remove an entry once it passes.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  auto_increment:
    "INSERT INTO t1 VALUES (NULL); INSERT INTO t1 VALUES (-1); SELECT LAST_INSERT_ID() is 1 on the server, " +
    "18446744073709551615 with warning 1916 through Sluice (an explicit value's insert id taken as LAST_INSERT_ID())",
  commit:
    "CREATE PROCEDURE p1() SET SESSION TRANSACTION READ ONLY; CALL p1(); SELECT @@tx_read_only is 1, " +
    "0 through Sluice (session characteristics set inside a routine are not followed)",
  consistent_snapshot:
    "include/wait_until_count_sessions.inc times out: Sluice's pooled backend connections stay in " +
    "information_schema.processlist after the client disconnects",
  flush_block_commit:
    "wait_until_count_sessions.inc times out (pooled backend connections in the processlist)",
  handler_read_last:
    "SHOW STATUS LIKE 'Handler_read%' counts another connection's statements (0 instead of 1)",
  ps_11bugs:
    "a stored function that sets @@sort_buffer_size, called in a SELECT: SELECT @@sort_buffer_size " +
    "afterwards is the old value through Sluice (400000 instead of 400001)",
  ps_2myisam:
    "SET STATEMENT sql_mode='' FOR EXECUTE my_insert USING @a: error 1243 unknown prepared statement " +
    "(the EXECUTE runs on a connection that lacks it)",
  select_found:
    "SELECT * FROM t1 ORDER BY c1 LIMIT 2,1; SELECT FOUND_ROWS() is 3 (offset + rows) on the server, 1 through Sluice",
  "sp-anchor-type":
    "CREATE TABLE from a procedure's anchored string variables gets utf8mb4 columns through Sluice where the " +
    "server gives the session's latin1 (character set of the backend connection differs from the client's)",
  "sp-dynamic":
    "SET @s=@@max_sp_recursion_depth; … SET @@max_sp_recursion_depth=@s; SELECT … : error 1232 \"can't restore " +
    "session state on server 'replica1': Incorrect argument type to variable 'max_sp_recursion_depth'\"",
  "sp-row":
    "PREPARE s0 FROM 'CALL p0(?)'; EXECUTE s0 USING @a: 1105 (user variables gone) instead of the server's 4079",
  "sp-vars":
    "after a CALL of a procedure that sets user variables and a read that moved the session, " +
    "CALL p(7, @out) (an OUT argument) is refused with 1105",
  sp_trans:
    "SELECT @@GLOBAL.default_storage_engine INTO @old_engine; … SET @@GLOBAL.default_storage_engine=@old_engine: 1105",
  transaction_timeout:
    "after idle_transaction_timeout ends the session the client gets 2027 malformed packet (Sluice's ERR 2013) " +
    "where the server's closed connection gives 2006 server has gone away",
  user_var:
    "SET @first_var = CAST(NULL AS SIGNED); CREATE TABLE t1 SELECT @first_var: column bigint(20) on the server, " +
    "longblob through Sluice when the session changed connection in between (the variable's type is lost)",
};

const MODES: readonly MtrMode[] = ["normal", "ps"];

/** [name, value] of the global variables set like mtr's server while this file runs. */
const MTR_GLOBALS: readonly (readonly [string, string])[] = [
  ["character_set_server", "'latin1'"],
  ["collation_server", "'latin1_swedish_ci'"],
  ["default_storage_engine", "'MyISAM'"],
  ["log_bin_trust_function_creators", "1"],
  ["max_heap_table_size", "1048576"],
  ["sort_buffer_size", "262144"],
];
const savedGlobals = new Map<string, Record<string, unknown>>();

function mysqlLiteral(v: unknown): string {
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return `'${String(v).replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const cluster = useCluster();
let proxy: ProxyHandle | undefined;
let work: string;
let wrapper: string;

describe.skipIf(!mariadbTestInstalled())("mysql-test main (CI subset) through Sluice", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "sluice-mtr-ci-"));
    // mysql-test logs in as root without a password over TCP; the shared cluster resolves no
    // names, so that is root@127.0.0.1 (dropped again in afterAll).
    await cluster.rootQuery(
      cluster.primary,
      "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'",
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
    );
    // Globals as mtr's server has them (include/default_mysqld.cnf), for this file only: the
    // tests' .result files assume them. Set before the snapshot the wrapper restores before each
    // test, and put back in afterAll.
    for (const server of cluster.info.servers) {
      const [row] = await cluster.rootQuery(
        server,
        `SELECT ${MTR_GLOBALS.map(([n]) => `@@GLOBAL.${n} AS ${n}`).join(", ")}`,
      );
      savedGlobals.set(server.name, row ?? {});
      await cluster.rootQuery(server, `SET ${MTR_GLOBALS.map(([n, v]) => `GLOBAL ${n} = ${v}`).join(", ")}`);
    }
    await prepareServers(cluster.primary, cluster.replicas);
    wrapper = writeWrapper(join(work, "wrapper"), cluster.primary, cluster.replicas);
    const { app, monitor } = cluster.info.users;
    ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy", {
      users: [
        { name: "root", password: "" },
        { name: app.user, password: app.password },
        { name: monitor.user, password: monitor.password },
      ],
      pool: { minIdle: 1, maxIdle: 8, maxPerServer: 100 },
    }));
  });

  afterAll(async () => {
    await proxy?.close();
    const repaired = await unprepareServers(cluster.primary, cluster.replicas);
    // Replication stopped by a test (statement-logged calls that failed on the primary) is a
    // fact about the test, not about Sluice; it is repaired so the shared cluster stays usable.
    for (const r of repaired) process.stderr.write(`mysql-test: repaired replica ${r}\n`);
    for (const server of cluster.info.servers) {
      const saved = savedGlobals.get(server.name);
      if (saved === undefined) continue;
      const sets = MTR_GLOBALS.map(([n]) => `GLOBAL ${n} = ${mysqlLiteral(saved[n])}`);
      await cluster.rootQuery(server, `SET ${sets.join(", ")}`);
    }
    await cluster.rootQuery(cluster.primary, "DROP USER IF EXISTS 'root'@'127.0.0.1'");
    await cluster.waitForReplication();
    rmSync(work, { recursive: true, force: true });
  });

  for (const mode of MODES) {
    it(`same result direct and through Sluice (${mode} protocol)`, { timeout: 600_000 }, async () => {
      const direct = await runMtr({
        port: cluster.primary.port,
        mode,
        tests: CI_TESTS,
        workDir: join(work, `${mode}-direct`),
        wrapper,
        direct: true,
      });
      // Some tests skip themselves in some modes (ps_missed_cmds in ps mode); a failure is not that.
      const notPassing = direct.filter((r) => r.outcome !== "pass" && r.outcome !== "skipped");
      // The list is of tests that pass direct; one that does not is a stale list (or a broken server).
      expect(notPassing.map((r) => `${r.test}: ${r.outcome} ${firstLines(r.detail, 3)}`)).toEqual([]);
      const passed = direct.filter((r) => r.outcome === "pass").map((r) => r.test);
      const sluice = await runMtr({
        port: proxy?.port ?? 0,
        mode,
        tests: passed,
        workDir: join(work, `${mode}-sluice`),
        wrapper,
      });
      const unexpected: string[] = [];
      for (const r of sluice) {
        const known = KNOWN_DIFFERENCES[r.test];
        if (r.outcome === "pass") {
          if (known !== undefined)
            process.stderr.write(
              `mysql-test ${r.test} passed through Sluice in ${mode} mode: once it passes in every mode, remove it from KNOWN_DIFFERENCES\n`,
            );
        } else if (known === undefined) {
          unexpected.push(describeFailure(r));
        }
      }
      expect(unexpected).toEqual([]);
    });
  }
});

function describeFailure(r: MtrResult): string {
  return `${r.test}: ${r.outcome} through Sluice, pass direct\n${firstLines(r.detail, 8)}`;
}
