/**
 * ProxySQL in the same rounds as Sluice, when PROXYSQL_BIN names a binary. UNVERIFIED here:
 * ProxySQL is not installed on the machine this was written on; the steps follow ProxySQL 2.x's
 * documented admin interface.
 *
 * Setup, equivalent to Sluice's default policy: hostgroup 10 = the primary (writes, default for
 * the user), hostgroup 20 = the replicas; query rules send `SELECT … FOR UPDATE` to 10 and other
 * `SELECT`s to 20; `transaction_persistent=1` keeps a transaction on the hostgroup it started
 * on (reads inside transactions stay on the primary, as in Sluice). Multiplexing stays at
 * ProxySQL's default (on). `mysql-threads` = PROXYSQL_THREADS (default 1, like one Sluice worker).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { freePorts } from "../../src/cluster/free-port.js";
import type { ClusterInfo } from "../../src/cluster/types.js";

export interface ProxysqlProcess {
  readonly pid: number;
  readonly port: number;
  readonly threads: number;
  stop(): Promise<void>;
}

const WRITER = 10;
const READER = 20;

export async function startProxysql(
  bin: string,
  cluster: ClusterInfo,
  workDir: string,
): Promise<ProxysqlProcess> {
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  const threads = Number(process.env.PROXYSQL_THREADS ?? 1);
  const dataDir = join(workDir, "proxysql");
  mkdirSync(dataDir, { recursive: true });
  const cnf = join(dataDir, "proxysql.cnf");
  const { monitor } = cluster.users;
  writeFileSync(
    cnf,
    [
      `datadir="${dataDir}"`,
      "admin_variables=",
      "{",
      `  admin_credentials="admin:admin"`,
      `  mysql_ifaces="127.0.0.1:${adminPort}"`,
      "}",
      "mysql_variables=",
      "{",
      `  threads=${threads}`,
      `  interfaces="127.0.0.1:${port}"`,
      `  server_version="${cluster.version.replace(/-.*/, "")}"`,
      `  monitor_username="${monitor.user}"`,
      `  monitor_password="${monitor.password}"`,
      "  max_connections=20000",
      "}",
      "",
    ].join("\n"),
  );
  // -f: foreground (no daemon, so the pid is the worker we measure); --initial: ignore any old proxysql.db
  const child = spawn(bin, ["-f", "--initial", "-c", cnf, "-D", dataDir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-10_000);
  });
  const admin = await connectAdmin(child, adminPort, () => stderr);
  try {
    await configure(admin, cluster);
  } finally {
    await admin.end();
  }
  return {
    pid: child.pid ?? -1,
    port,
    threads,
    stop: () => stopChild(child),
  };
}

async function configure(admin: mysql.Connection, cluster: ClusterInfo): Promise<void> {
  const { app } = cluster.users;
  const servers = cluster.servers.map(
    (s) => `(${s.role === "primary" ? WRITER : READER}, '${s.host}', ${s.port}, 500)`,
  );
  const statements = [
    "DELETE FROM mysql_servers",
    `INSERT INTO mysql_servers (hostgroup_id, hostname, port, max_connections) VALUES ${servers.join(", ")}`,
    "DELETE FROM mysql_users",
    `INSERT INTO mysql_users (username, password, default_hostgroup, transaction_persistent, active) VALUES ('${app.user}', '${app.password}', ${WRITER}, 1, 1)`,
    "DELETE FROM mysql_query_rules",
    `INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply) VALUES (1, 1, '^SELECT.*FOR UPDATE', ${WRITER}, 1), (2, 1, '^SELECT', ${READER}, 1)`,
    // static hostgroups, like the bench's fixed topology: no monitor-driven moves mid-run
    "UPDATE global_variables SET variable_value = 'false' WHERE variable_name = 'mysql-monitor_enabled'",
    "LOAD MYSQL VARIABLES TO RUNTIME",
    "LOAD MYSQL SERVERS TO RUNTIME",
    "LOAD MYSQL USERS TO RUNTIME",
    "LOAD MYSQL QUERY RULES TO RUNTIME",
  ];
  for (const sql of statements) await admin.query(sql);
}

async function connectAdmin(
  child: ChildProcess,
  port: number,
  stderr: () => string,
): Promise<mysql.Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ProxySQL exited with ${child.exitCode}: ${stderr().slice(-2000)}`);
    try {
      return await mysql.createConnection({ host: "127.0.0.1", port, user: "admin", password: "admin" });
    } catch (e) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(
          `ProxySQL admin did not answer on ${port}: ${(e as Error).message}\n${stderr().slice(-2000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
