import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ensureMariadbBinaries } from "./binaries.js";
import { ClusterControl, waitUntilAccepting } from "./cluster-control.js";
import { freePorts } from "./free-port.js";
import { startReaper } from "./reaper.js";
import { rootQuery } from "./root-sql.js";
import { spawnServer, stopServer } from "./server-process.js";
import type { ClusterInfo, ServerInfo } from "./types.js";

const run = promisify(execFile);

export interface LocalClusterOptions {
  readonly replicas?: number;
  /** parent directory for the cluster's temp dir (default: the OS temp dir) */
  readonly parentDir?: string;
  readonly log?: (line: string) => void;
  /** extra mariadbd options for every server */
  readonly serverOptions?: readonly string[];
}

export interface LocalCluster {
  readonly info: ClusterInfo;
  readonly control: ClusterControl;
  /** the mariadbd binary, so other processes can build their own ClusterControl */
  readonly mariadbd: string;
  /** Stops every server and removes the cluster's directory. Safe to call twice. */
  stop(): Promise<void>;
}

const USERS = {
  app: { user: "app", password: "app-secret" },
  monitor: { user: "monitor", password: "monitor-secret" },
  repl: { user: "repl", password: "repl-secret" },
} as const;

const DATABASE = "sluice_test";

/**
 * Starts a MariaDB primary and `replicas` replicas with GTID replication on loopback, each on a
 * free port in a fresh temp directory. Resolves once replication runs and the replicas have
 * applied the primary's users and database.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? (() => {});
  const replicaCount = options.replicas ?? 2;
  const binaries = ensureMariadbBinaries(log);
  const baseDir = mkdtempSync(join(options.parentDir ?? tmpdir(), "sluice-cluster-"));
  const reaper = startReaper(baseDir);
  const ports = await freePorts(replicaCount + 1);
  const servers: ServerInfo[] = ports.map((port, i) => {
    const name = i === 0 ? "primary" : `replica${i}`;
    const dir = join(baseDir, name);
    mkdirSync(dir, { recursive: true });
    return {
      name,
      role: i === 0 ? "primary" : "replica",
      host: "127.0.0.1",
      port,
      socket: join(dir, "mariadbd.sock"),
      datadir: join(dir, "data"),
      serverId: i + 1,
      ...(options.serverOptions === undefined ? {} : { options: options.serverOptions }),
    };
  });
  const info: ClusterInfo = { baseDir, version: binaries.version, servers, database: DATABASE, users: USERS };
  const control = new ClusterControl(info, binaries.mariadbd);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(servers.map((s) => stopServer(s, 20_000)));
    // A server restarted by a test in another process may still be flushing files as it exits;
    // retry the removal rather than fail the run on ENOTEMPTY.
    try {
      rmSync(baseDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (error) {
      log(`could not remove ${baseDir}: ${String(error)}`);
    }
    reaper.dismiss();
  };

  try {
    await Promise.all(servers.map((s) => installDatadir(binaries.installDb, s)));
    await Promise.all(servers.map((s) => waitUntilAccepting(s, spawnServer(binaries.mariadbd, s), 60_000)));
    log(`mariadbd started on ports ${ports.join(", ")}`);
    const primary = servers[0]!;
    await rootQuery(primary, ...setupPrimarySql());
    await Promise.all(servers.slice(1).map((replica) => rootQuery(replica, ...setupReplicaSql(primary))));
    await control.waitForReplication(60_000);
    log("replication running");
    return { info, control, mariadbd: binaries.mariadbd, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function installDatadir(installDb: string, server: ServerInfo): Promise<void> {
  const args = [
    "--no-defaults",
    `--datadir=${server.datadir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ];
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--user=root");
  // Each bootstrap gets its own temp dir: parallel bootstraps sharing /tmp collide on the names
  // of their internal temporary tables ("Error on delete of '/tmp/#sql-temptable-…'").
  const tmp = dirname(server.datadir);
  await run(installDb, args, { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TMPDIR: tmp } });
}

function setupPrimarySql(): string[] {
  const { app, monitor, repl } = USERS;
  return [
    `CREATE DATABASE ${DATABASE}`,
    `CREATE USER '${app.user}'@'%' IDENTIFIED BY '${app.password}'`,
    // Everything an application may do, but nothing that bypasses read_only.
    `GRANT ALL PRIVILEGES ON *.* TO '${app.user}'@'%'`,
    `REVOKE SUPER, READ_ONLY ADMIN ON *.* FROM '${app.user}'@'%'`,
    `CREATE USER '${monitor.user}'@'%' IDENTIFIED BY '${monitor.password}'`,
    `GRANT ALL PRIVILEGES ON *.* TO '${monitor.user}'@'%'`,
    `CREATE USER '${repl.user}'@'%' IDENTIFIED BY '${repl.password}'`,
    `GRANT REPLICATION SLAVE ON *.* TO '${repl.user}'@'%'`,
  ];
}

export function setupReplicaSql(primary: ServerInfo): string[] {
  const { repl } = USERS;
  return [
    "SET GLOBAL read_only = 1",
    `CHANGE MASTER TO MASTER_HOST='${primary.host}', MASTER_PORT=${primary.port}, ` +
      `MASTER_USER='${repl.user}', MASTER_PASSWORD='${repl.password}', ` +
      "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
    "START SLAVE",
  ];
}
