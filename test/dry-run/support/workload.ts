import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Connection } from "mysql2/promise";
import type { ClusterControl } from "../../../src/cluster/cluster-control.js";
import type { ServerInfo } from "../../../src/cluster/types.js";

const run = promisify(execFile);

/**
 * What the workload sent, per client, so a test can check that a reader of the server's logs
 * finds every statement: `text` is the SQL as the client sent it (for prepared statements, the
 * text with `?` placeholders), `via` how it travelled.
 */
export interface SentStatement {
  readonly client: string;
  readonly text: string;
  readonly via: "query" | "prepare" | "init_db";
}

/** A table name private to this workload, so it never collides with other tests. */
export const WORKLOAD_TABLE = "dr_items";
export const WORKLOAD_OTHER_DB = "dr_other";

/**
 * Runs a small, varied OLTP workload against `server` as the app user: plain reads and writes,
 * multi-line statements, a string literal holding a newline and a semicolon, prepared statements
 * (COM_STMT_PREPARE / EXECUTE / CLOSE), explicit transactions, autocommit=0 with an implicit
 * commit by DDL, USE, temporary tables, and (when the `mariadb` command-line client is installed)
 * COM_INIT_DB plus a second session. Returns what was sent, in order per client.
 */
export async function runWorkload(cluster: ClusterControl, server: ServerInfo): Promise<SentStatement[]> {
  return runWorkloadAt({
    connect: () => cluster.connect(server),
    host: server.host,
    port: server.port,
    database: cluster.info.database,
    user: cluster.info.users.app,
  });
}

/** Where the workload runs: a server directly, or Sluice in front of the cluster. */
export interface WorkloadTarget {
  /** a mysql2 connection as the app user in `database` */
  connect(): Promise<Connection>;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: { readonly user: string; readonly password: string };
}

export async function runWorkloadAt(target: WorkloadTarget): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const a = await target.connect();
  const q = async (sql: string): Promise<void> => {
    sent.push({ client: "a", text: sql, via: "query" });
    await a.query(sql);
  };
  try {
    await q(
      `CREATE TABLE IF NOT EXISTS ${WORKLOAD_TABLE} (id INT PRIMARY KEY, name VARCHAR(64), qty INT NOT NULL DEFAULT 0)`,
    );
    await q(`DELETE FROM ${WORKLOAD_TABLE}`);
    await q(
      `INSERT INTO ${WORKLOAD_TABLE} (id, name, qty) VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'plum', 0)`,
    );
    await q(`SELECT id, name FROM ${WORKLOAD_TABLE} WHERE id = 1`);
    await q(`SELECT name,\n       qty\n  FROM ${WORKLOAD_TABLE}\n WHERE qty > 0\n ORDER BY id`);
    await q(
      `UPDATE ${WORKLOAD_TABLE} SET name = 'line one\nline two; still the same statement' WHERE id = 3`,
    );
    await q(`/* a leading comment */ SELECT COUNT(*) FROM ${WORKLOAD_TABLE}`);

    // prepared statements: mysql2's execute() prepares once and caches; unprepare() closes
    const select = `SELECT name FROM ${WORKLOAD_TABLE} WHERE id = ?`;
    const update = `UPDATE ${WORKLOAD_TABLE} SET qty = qty + ? WHERE id = ?`;
    sent.push({ client: "a", text: select, via: "prepare" });
    await a.execute(select, [1]);
    await a.execute(select, [2]);
    sent.push({ client: "a", text: update, via: "prepare" });
    await a.execute(update, [1, 2]);
    a.unprepare(select);
    a.unprepare(update);

    await q("BEGIN");
    await q(`SELECT qty FROM ${WORKLOAD_TABLE} WHERE id = 2 FOR UPDATE`);
    await q(`UPDATE ${WORKLOAD_TABLE} SET qty = qty - 1 WHERE id = 2`);
    await q("COMMIT");
    await q("START TRANSACTION READ ONLY");
    await q(`SELECT SUM(qty) FROM ${WORKLOAD_TABLE}`);
    await q("ROLLBACK");

    await q("SET autocommit = 0");
    await q(`INSERT INTO ${WORKLOAD_TABLE} (id, name) VALUES (4, 'fig')`);
    await q(`SELECT * FROM ${WORKLOAD_TABLE} WHERE id = 4`);
    await q(`CREATE TABLE IF NOT EXISTS dr_audit (id INT PRIMARY KEY)`); // commits implicitly
    await q(`SELECT COUNT(*) FROM ${WORKLOAD_TABLE}`);
    await q("COMMIT");
    await q("SET autocommit = 1");

    await q("CREATE TEMPORARY TABLE dr_tmp (id INT)");
    await q("INSERT INTO dr_tmp VALUES (1), (2)");
    await q("SELECT COUNT(*) FROM dr_tmp");
    await q("DROP TEMPORARY TABLE dr_tmp");

    await q(`CREATE DATABASE IF NOT EXISTS ${WORKLOAD_OTHER_DB}`);
    await q(`USE ${WORKLOAD_OTHER_DB}`);
    await q("CREATE TABLE IF NOT EXISTS notes (id INT PRIMARY KEY, body TEXT)");
    await q("REPLACE INTO notes VALUES (1, 'hello')");
    await q("SELECT body FROM notes WHERE id = 1");
    await q(`USE ${target.database}`);
    await q("SELECT LAST_INSERT_ID()");
  } finally {
    await a.end();
  }
  sent.push(...(await runCliSession(target)));
  return sent;
}

/**
 * The `mariadb` command-line client sends `use db` as COM_INIT_DB and starts without a default
 * database, so its session exercises the Init DB lines of the general log. Skipped (returns [])
 * when the client is not installed.
 */
async function runCliSession(target: WorkloadTarget): Promise<SentStatement[]> {
  const script = [
    `use ${target.database}`,
    `SELECT id FROM ${WORKLOAD_TABLE} ORDER BY id;`,
    `use ${WORKLOAD_OTHER_DB}`,
    "SELECT COUNT(*) FROM notes;",
  ];
  const app = target.user;
  try {
    await run("mariadb", [
      "--no-defaults",
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${app.user}`,
      `--password=${app.password}`,
      "--batch",
      "--skip-auto-rehash",
      `--execute=${script.join("\n")}`,
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return [
    { client: "cli", text: target.database, via: "init_db" },
    { client: "cli", text: `SELECT id FROM ${WORKLOAD_TABLE} ORDER BY id`, via: "query" },
    { client: "cli", text: WORKLOAD_OTHER_DB, via: "init_db" },
    { client: "cli", text: "SELECT COUNT(*) FROM notes", via: "query" },
  ];
}
