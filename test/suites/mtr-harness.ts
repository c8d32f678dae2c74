/**
 * Runs MariaDB's own mysql-test (Debian's `mariadb-test` package) with `mariadb-test-run.pl
 * --extern` over TCP, once straight against a cluster's primary and once through Sluice, and
 * compares pass/fail per test. Shared by the full script (test/suites/mysql-test.ts) and the
 * CI-sized vitest file (test/integration/mysql-test-suite.test.ts).
 *
 * Tests share one server, so a test that fails half way leaves tables, databases, users and
 * global variables behind that would make the next test fail for a reason of its own. mtr can't
 * restart an --extern server, so every mysqltest invocation goes through a wrapper (MYSQL_TEST)
 * that first puts the servers back the way they were, straight on the backends and never through
 * Sluice, so direct and Sluice runs start each test from the same state.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootQuery } from "../../src/cluster/root-sql.js";
import type { ServerInfo } from "../../src/cluster/types.js";

export const MYSQL_TEST_DIR = "/usr/share/mysql/mysql-test";
const MTR = join(MYSQL_TEST_DIR, "mariadb-test-run.pl");
const MARIADB_TEST = "/usr/bin/mariadb-test";
const MARIADB = "/usr/bin/mariadb";

export type MtrMode = "normal" | "ps" | "cursor" | "compress";
export const MTR_MODES: readonly MtrMode[] = ["normal", "ps", "cursor", "compress"];
const MODE_FLAGS: Record<MtrMode, readonly string[]> = {
  normal: [],
  ps: ["--ps-protocol"],
  cursor: ["--cursor-protocol"],
  compress: ["--compress"],
};

/** `not-run`: not run through Sluice because it did not pass direct */
export type MtrOutcome = "pass" | "fail" | "skipped" | "missing" | "not-run";

export interface MtrResult {
  readonly test: string;
  readonly outcome: MtrOutcome;
  /** the skip reason, or the failure text mtr printed (mysqltest's error and the diff) */
  readonly detail: string;
}

export function mariadbTestInstalled(): boolean {
  return existsSync(MTR) && existsSync(MARIADB_TEST) && existsSync(MARIADB);
}

/**
 * mariadbd options that make a cluster server look like the one mtr starts for the main suite
 * (include/default_mysqld.cnf), so that more tests pass direct: their .result files assume
 * latin1, MyISAM as the default engine and `root@localhost` over TCP (name resolution on).
 */
export const MTR_LIKE_SERVER_OPTIONS: readonly string[] = [
  "--character-set-server=latin1",
  "--collation-server=latin1_swedish_ci",
  "--skip-name-resolve=0",
  "--log-bin-trust-function-creators=1",
  "--default-storage-engine=myisam",
  "--max-heap-table-size=1M",
  "--sort-buffer-size=256K",
  "--key-buffer-size=1M",
  "--use-stat-tables=preferably",
  "--binlog-direct-non-transactional-updates",
  "--connect-timeout=60",
  // The cluster's ROW binlog format stays (mtr's default is MIXED): with MIXED, calls of stored
  // functions that fail on the primary are logged as statements and stop the replicas' SQL
  // thread in many sp tests; ROW stops it far less often (RENAME TABLE of a temporary table).
];

/**
 * Creates what mtr's own bootstrap would have: the `test` and `mtr` databases (tests call
 * mtr.add_suppression), plus the reset procedures the wrapper calls before each test, and each
 * server's own snapshot of its global variables and accounts (written with sql_log_bin=0 so a
 * replica keeps its own values, e.g. read_only=ON).
 */
export async function prepareServers(primary: ServerInfo, replicas: readonly ServerInfo[]): Promise<void> {
  await rootQuery(primary, ...procedureSql(), ...snapshotSql());
  await waitForReplicas(primary, replicas);
  for (const server of [primary, ...replicas]) {
    await rootQuery(
      server,
      "SET SESSION sql_log_bin = 0",
      "CREATE TABLE IF NOT EXISTS mtr.sluice_globals (variable_name VARCHAR(128), variable_value TEXT) ENGINE=MyISAM",
      "DELETE FROM mtr.sluice_globals",
      "INSERT INTO mtr.sluice_globals SELECT variable_name, variable_value FROM information_schema.global_variables",
    );
  }
}

/** The `test` and `mtr` databases and the reset procedures (no snapshots). */
export function procedureSql(): string[] {
  return [
    "CREATE DATABASE IF NOT EXISTS test",
    "CREATE DATABASE IF NOT EXISTS mtr",
    "CREATE TABLE IF NOT EXISTS mtr.test_suppressions (pattern VARCHAR(255)) ENGINE=MyISAM",
    "DROP PROCEDURE IF EXISTS mtr.add_suppression",
    "CREATE PROCEDURE mtr.add_suppression(pattern VARCHAR(255)) " +
      "INSERT INTO mtr.test_suppressions (pattern) VALUES (pattern)",
    "DROP PROCEDURE IF EXISTS mtr.sluice_restore_globals",
    // Restores every global variable whose value differs from this server's snapshot. Errors
    // (read-only variables, values the server words differently than it accepts) are ignored:
    // this is best effort, and the same for direct and Sluice runs.
    `CREATE PROCEDURE mtr.sluice_restore_globals()
     BEGIN
       DECLARE done INT DEFAULT 0;
       DECLARE n VARCHAR(128);
       DECLARE v TEXT;
       DECLARE g CURSOR FOR
         SELECT s.variable_name, s.variable_value FROM mtr.sluice_globals s
         JOIN information_schema.global_variables c ON c.variable_name = s.variable_name
         WHERE NOT (c.variable_value <=> s.variable_value) AND s.variable_value IS NOT NULL
           AND s.variable_name NOT LIKE 'GTID%';
       DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
       DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
       OPEN g;
       l: LOOP
         FETCH g INTO n, v;
         IF done THEN LEAVE l; END IF;
         SET @sluice_sql = CONCAT('SET GLOBAL ', n, ' = ',
           IF(v REGEXP '^-?[0-9]+(\\\\.[0-9]+)?$', v, QUOTE(v)));
         PREPARE s FROM @sluice_sql;
         EXECUTE s;
         DEALLOCATE PREPARE s;
       END LOOP;
       CLOSE g;
     END`,
    "DROP PROCEDURE IF EXISTS mtr.sluice_reset",
    // Drops what a test may have left: databases, accounts and roles; recreates an empty `test`.
    `CREATE PROCEDURE mtr.sluice_reset()
     BEGIN
       DECLARE done INT DEFAULT 0;
       DECLARE n TEXT;
       DECLARE dbs CURSOR FOR SELECT schema_name FROM information_schema.schemata
         WHERE schema_name NOT IN (SELECT name FROM mtr.sluice_databases) AND schema_name <> 'test';
       DECLARE us CURSOR FOR SELECT CONCAT(QUOTE(p.user), '@', QUOTE(p.host)) FROM mysql.global_priv p
         WHERE NOT EXISTS (SELECT 1 FROM mtr.sluice_accounts a WHERE a.user = p.user AND a.host = p.host);
       DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
       DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
       OPEN dbs;
       l1: LOOP
         FETCH dbs INTO n;
         IF done THEN LEAVE l1; END IF;
         SET @sluice_sql = CONCAT('DROP DATABASE \`', REPLACE(n, '\`', '\`\`'), '\`');
         PREPARE s FROM @sluice_sql; EXECUTE s; DEALLOCATE PREPARE s;
       END LOOP;
       CLOSE dbs;
       SET done = 0;
       OPEN us;
       l2: LOOP
         FETCH us INTO n;
         IF done THEN LEAVE l2; END IF;
         SET @sluice_sql = CONCAT('DROP USER ', n);
         PREPARE s FROM @sluice_sql; EXECUTE s; DEALLOCATE PREPARE s;
         SET @sluice_sql = CONCAT('DROP ROLE ', n);
         PREPARE s FROM @sluice_sql; EXECUTE s; DEALLOCATE PREPARE s;
       END LOOP;
       CLOSE us;
       -- Dropping a database of InnoDB tables is slow on a loaded machine; most tests clean up
       -- after themselves, so \`test\` is only recreated when something is left in it.
       IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'test')
          OR EXISTS (SELECT 1 FROM information_schema.routines WHERE routine_schema = 'test')
          OR EXISTS (SELECT 1 FROM information_schema.events WHERE event_schema = 'test') THEN
         DROP DATABASE IF EXISTS test;
       END IF;
       CREATE DATABASE IF NOT EXISTS test;
       DELETE FROM mtr.test_suppressions;
       -- Accounts as they were: a test that edits mysql.global_priv and fails (or whose restore
       -- a replica did not apply) would leave root unable to log in. REPLACE … SELECT is logged
       -- as a statement, so the replicas apply it from their own copy of the snapshot too.
       IF EXISTS (SELECT 1 FROM mtr.sluice_global_priv s LEFT JOIN mysql.global_priv p USING (host, user)
                  WHERE NOT (p.priv <=> s.priv)) THEN
         REPLACE INTO mysql.global_priv SELECT * FROM mtr.sluice_global_priv;
         FLUSH PRIVILEGES;
       END IF;
       CALL mtr.sluice_restore_globals();
     END`,
  ];
}

export function snapshotSql(): string[] {
  return [
    // Databases and accounts that exist now are kept (on a shared cluster, other tests' too);
    // both are replicated, so one snapshot (taken on the primary) serves every server.
    "CREATE TABLE IF NOT EXISTS mtr.sluice_databases (name VARCHAR(64)) ENGINE=MyISAM",
    "DELETE FROM mtr.sluice_databases",
    "INSERT INTO mtr.sluice_databases SELECT schema_name FROM information_schema.schemata",
    "CREATE TABLE IF NOT EXISTS mtr.sluice_accounts (user CHAR(128), host CHAR(255)) ENGINE=MyISAM",
    "DELETE FROM mtr.sluice_accounts",
    "INSERT INTO mtr.sluice_accounts SELECT user, host FROM mysql.global_priv",
    "DROP TABLE IF EXISTS mtr.sluice_global_priv",
    "CREATE TABLE mtr.sluice_global_priv ENGINE=MyISAM SELECT p.* FROM mysql.global_priv p " +
      "JOIN mtr.sluice_accounts a ON a.user = p.user AND a.host = p.host",
  ];
}

/**
 * Removes what prepareServers created and puts the replicas back on the primary's position (a
 * test may have stopped their SQL thread), for a cluster other tests go on using. Returns what
 * had to be repaired.
 */
export async function unprepareServers(
  primary: ServerInfo,
  replicas: readonly ServerInfo[],
): Promise<string[]> {
  for (const x of await rootQuery(primary, "XA RECOVER FORMAT='SQL'")) {
    await rootQuery(primary, `XA ROLLBACK ${String(x.data)}`);
  }
  await rootQuery(primary, "SET SESSION lock_wait_timeout = 20", "CALL mtr.sluice_reset()");
  const repaired = await repairReplicas(primary, replicas);
  await rootQuery(primary, "DROP DATABASE IF EXISTS mtr", "DROP DATABASE IF EXISTS test");
  await waitForReplicas(primary, replicas);
  return repaired;
}

/** A replica that does not reach the primary's position is moved there and reset like it. */
export async function repairReplicas(
  primary: ServerInfo,
  replicas: readonly ServerInfo[],
): Promise<string[]> {
  const [row] = await rootQuery(primary, "SELECT @@gtid_binlog_pos AS pos");
  const pos = String(row?.pos ?? "");
  const repaired: string[] = [];
  for (const replica of replicas) {
    const [waited] = await rootQuery(replica, `SELECT MASTER_GTID_WAIT('${pos}', 30) AS w`);
    const [status] = await rootQuery(replica, "SHOW SLAVE STATUS");
    if (Number(waited?.w) === 0 && status?.Slave_SQL_Running === "Yes") continue;
    repaired.push(`${replica.name}: ${String(status?.Last_SQL_Error ?? "") || "did not catch up"}`);
    await rootQuery(replica, "STOP SLAVE");
    for (const x of await rootQuery(replica, "XA RECOVER FORMAT='SQL'")) {
      await rootQuery(replica, "SET SESSION sql_log_bin = 0", `XA ROLLBACK ${String(x.data)}`);
    }
    await rootQuery(
      replica,
      `SET GLOBAL gtid_slave_pos = '${pos}'`,
      "SET SESSION sql_log_bin = 0, lock_wait_timeout = 20",
      "CALL mtr.sluice_reset()",
      "START SLAVE",
    );
  }
  return repaired;
}

async function waitForReplicas(primary: ServerInfo, replicas: readonly ServerInfo[]): Promise<void> {
  const [row] = await rootQuery(primary, "SELECT @@gtid_binlog_pos AS pos");
  const pos = String(row?.pos ?? "");
  await Promise.all(replicas.map((r) => rootQuery(r, `SELECT MASTER_GTID_WAIT('${pos}', 30)`)));
}

/**
 * Writes the MYSQL_TEST wrapper: before each test file (not before mtr's own helper runs) it
 * resets the primary, waits until the replicas have applied the reset, restores the replicas'
 * globals, and notes (then repairs) a replica whose SQL thread a test stopped, since a stopped
 * replica would serve stale reads through Sluice for every later test.
 */
export function writeWrapper(dir: string, primary: ServerInfo, replicas: readonly ServerInfo[]): string {
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, "mariadb-test-wrapper.sh");
  const cli = (s: ServerInfo) =>
    `${MARIADB} --no-defaults --protocol=tcp -h${s.host} -P${s.port} -uroot -N -B`;
  // A replica whose SQL thread a test stopped (statement-logged function calls that failed on the
  // primary, …) is noted, moved past the primary's position and reset like the primary, so the
  // next test starts with replicas that match the primary again.
  const replicaLines = replicas.map((r) =>
    [
      `  w=$(${cli(r)} -e "SELECT MASTER_GTID_WAIT('$pos', 30)" 2>>"$LOG")`,
      `  st=$(${cli(r)} -e "SHOW SLAVE STATUS\\G" 2>>"$LOG" | grep -E 'Slave_SQL_Running:|Last_SQL_Error:' | tr '\\n' ' ' | tr -s ' ')`,
      `  if [ "$w" != "0" ] || [[ "$st" == *"Slave_SQL_Running: No"* ]]; then`,
      `    echo "before $test: replica ${r.name} wait=$w $st" >>"$DIR/replication-breaks.log"`,
      `    ${cli(r)} -e "STOP SLAVE" >>"$LOG" 2>&1`,
      `    ${cli(r)} -e "XA RECOVER FORMAT='SQL'" 2>>"$LOG" | awk -F'\\t' '{print "SET SESSION sql_log_bin=0; XA ROLLBACK " $4 ";"}' | ${cli(r)} >>"$LOG" 2>&1`,
      `    ${cli(r)} -e "SET GLOBAL gtid_slave_pos='$pos'; SET SESSION sql_log_bin=0, lock_wait_timeout=20; CALL mtr.sluice_reset(); START SLAVE" >>"$LOG" 2>&1`,
      "  fi",
      `  ${cli(r)} -e "CALL mtr.sluice_restore_globals()" >>"$LOG" 2>&1`,
    ].join("\n"),
  );
  writeFileSync(
    wrapper,
    [
      "#!/bin/bash",
      `DIR=${JSON.stringify(dir)}`,
      'LOG="$DIR/reset.log"',
      'test=""',
      'for a in "$@"; do case "$a" in --test-file=*) test=$(echo "$a" | cut -d= -f2-);; esac; done',
      'if [ -n "$test" ] && [[ "$test" != *check-testcase* ]] && [[ "$test" != *check-warnings* ]]; then',
      // A prepared XA transaction outlives its connection and keeps its locks: a test that fails
      // between XA PREPARE and XA COMMIT would make every later DROP TABLE t1 wait.
      `  ${cli(primary)} -e "XA RECOVER FORMAT='SQL'" 2>>"$LOG" | awk -F'\\t' '{print "XA ROLLBACK " $4 ";"}' | ${cli(primary)} >>"$LOG" 2>&1`,
      // A test that empties mysql.proc and fails before restoring it (main.sp-error) takes
      // mtr.add_suppression and the reset procedures with it: they are created again.
      `  n=$(${cli(primary)} -e "SELECT COUNT(*) FROM mysql.proc WHERE db = 'mtr'" 2>>"$LOG")`,
      `  if [ "$n" != "3" ]; then ${cli(primary)} <"$DIR/procedures.sql" >>"$LOG" 2>&1; fi`,
      // A test left holding a lock (through Sluice, a pooled connection) must not hang the reset.
      `  ${cli(primary)} -e "SET SESSION lock_wait_timeout = 20; CALL mtr.sluice_reset()" >>"$LOG" 2>&1`,
      // Straight against the primary, replicas play no part: the test need not wait for them.
      '  if [ -n "$MTR_SLUICE_DIRECT" ]; then exec ' + MARIADB_TEST + ' "$@"; fi',
      `  pos=$(${cli(primary)} -e "SELECT @@gtid_binlog_pos" 2>>"$LOG")`,
      ...replicaLines,
      "fi",
      `exec ${MARIADB_TEST} "$@"`,
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "procedures.sql"), `DELIMITER ;;\n${procedureSql().join(";;\n")};;\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

export interface MtrRun {
  readonly port: number;
  readonly mode: MtrMode;
  readonly tests: readonly string[];
  /** a fresh directory for mtr's vardir and logs */
  readonly workDir: string;
  readonly wrapper: string;
  /** straight against the primary: the wrapper does not wait for or repair the replicas */
  readonly direct?: boolean;
  /** minutes per test before mtr gives up on it */
  readonly testcaseTimeoutMin?: number;
  readonly onLine?: (line: string) => void;
}

/** Runs mtr --extern against host 127.0.0.1:port and returns one result per requested test. */
export async function runMtr(run: MtrRun): Promise<MtrResult[]> {
  // mtr refuses the whole run when one name is unknown; unknown names are reported as missing.
  const known = run.tests.filter((t) =>
    existsSync(join(MYSQL_TEST_DIR, "main", `${t.replace(/^main\./, "")}.test`)),
  );
  if (known.length === 0) return parseMtrOutput("", run.tests);
  const vardir = join(run.workDir, "var");
  const args = [
    MTR,
    "--extern",
    "host=127.0.0.1",
    "--extern",
    `port=${run.port}`,
    // Everything over TCP to that port: a test's `connect(…,localhost,…)` and `--exec $MYSQL`
    // would otherwise use a unix socket, which would bypass Sluice (or reach the machine's own
    // server), so the socket is one that does not exist.
    "--extern",
    "protocol=tcp",
    "--extern",
    `socket=${join(run.workDir, "no-such.sock")}`,
    "--extern",
    "user=root",
    `--vardir=${vardir}`,
    "--force",
    "--max-test-fail=0",
    "--retry=0",
    "--nocheck-testcases",
    "--nowarnings",
    `--testcase-timeout=${run.testcaseTimeoutMin ?? 5}`,
    "--suite-timeout=600",
    ...MODE_FLAGS[run.mode],
    ...known.map((t) => (t.startsWith("main.") ? t : `main.${t}`)),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("perl", args, {
      cwd: MYSQL_TEST_DIR,
      env: {
        ...process.env,
        MYSQL_TEST: run.wrapper,
        MTR_PARALLEL: "1",
        ...(run.direct === true ? { MTR_SLUICE_DIRECT: "1" } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let pending = "";
    const onData = (chunk: Buffer) => {
      const s = chunk.toString("utf8");
      text += s;
      pending += s;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) run.onLine?.(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    // mtr exits non-zero when any test fails; that is a result, not an error.
    child.on("close", () => resolve(text));
  });
  mkdirSync(run.workDir, { recursive: true });
  writeFileSync(join(run.workDir, `mtr-${run.mode}.out`), output);
  const results = parseMtrOutput(output, run.tests);
  if (results.every((r) => r.outcome === "missing")) {
    throw new Error(
      `mtr ran no test: ${output
        .split("\n")
        .filter((l) => l.includes("ERROR"))
        .join(" ")}`,
    );
  }
  return results;
}

const RESULT_LINE = /^(main\.[\w-]+)(?:\s+'[^']*')?\s+\[ (pass|fail|skipped|disabled) \]\s*(.*)$/;

export function parseMtrOutput(output: string, requested: readonly string[]): MtrResult[] {
  const found = new Map<string, MtrResult>();
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = RESULT_LINE.exec(lines[i]?.trimEnd() ?? "");
    if (m === null) continue;
    const test = (m[1] ?? "").replace(/^main\./, "");
    const kind = m[2] === "pass" ? "pass" : m[2] === "fail" ? "fail" : "skipped";
    let detail = m[3] ?? "";
    if (kind === "fail") {
      const body: string[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] ?? "";
        if (RESULT_LINE.test(l.trimEnd()) || l.startsWith(" - saving") || l.startsWith("-----")) break;
        if (l.trim() === "" || /^\s+Test ended at/.test(l)) continue;
        body.push(l);
      }
      detail = body.join("\n");
    }
    found.set(test, { test, outcome: kind, detail });
  }
  return requested.map((t) => {
    const name = t.replace(/^main\./, "");
    return found.get(name) ?? { test: name, outcome: "missing", detail: "mtr printed no result for it" };
  });
}

/** The first `n` lines of a failure worth showing: mysqltest's error, or the diff's changed lines. */
export function firstLines(detail: string, n: number): string {
  const lines = detail.split("\n");
  const diffStart = lines.findIndex((l) => l.startsWith("@@"));
  const picked =
    diffStart >= 0
      ? lines.slice(diffStart).filter((l) => /^[-+@]/.test(l) && !/^(---|\+\+\+) /.test(l))
      : lines.filter((l) => !/^\s*$/.test(l));
  return picked.slice(0, n).join("\n");
}

/** Test names from a file (one a line, `#` comments) or a comma-separated list. */
export function readTestList(spec: string): string[] {
  const text = existsSync(spec) ? readFileSync(spec, "utf8") : spec.replace(/,/g, "\n");
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
}
