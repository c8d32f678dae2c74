import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { type Row, rootQuery } from "./root-sql.js";
import {
  generalLogFile,
  isAlive,
  killServer,
  pauseServer,
  readPid,
  resumeServer,
  spawnServer,
  stopServer,
  tailOfErrorLog,
} from "./server-process.js";
import type { ClusterInfo, ServerInfo } from "./types.js";

export interface ConnectOptions {
  readonly user?: string;
  readonly password?: string;
  /** null: no default database */
  readonly database?: string | null;
  readonly multipleStatements?: boolean;
}

/**
 * Controls a running local cluster from any process that knows its ClusterInfo: tests in vitest
 * workers, the demo command, benchmarks. Servers are found by their pid files, not by child
 * handles, so whoever started them, anyone can stop, pause or restart them.
 */
export class ClusterControl {
  constructor(
    readonly info: ClusterInfo,
    private readonly mariadbd: string,
  ) {}

  get primary(): ServerInfo {
    return this.server("primary");
  }

  get replicas(): ServerInfo[] {
    return this.info.servers.filter((s) => s.role === "replica");
  }

  server(name: string): ServerInfo {
    const found = this.info.servers.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no server named ${name} in the cluster`);
    return found;
  }

  /** A mysql2 connection over TCP, as the app user in the test database unless told otherwise. */
  connect(server: ServerInfo, options: ConnectOptions = {}): Promise<mysql.Connection> {
    const database = options.database === undefined ? this.info.database : options.database;
    return mysql.createConnection({
      host: server.host,
      port: server.port,
      user: options.user ?? this.info.users.app.user,
      password: options.password ?? this.info.users.app.password,
      ...(database === null ? {} : { database }),
      multipleStatements: options.multipleStatements ?? false,
      connectTimeout: 5_000,
    });
  }

  rootQuery(server: ServerInfo, ...statements: string[]): Promise<Row[]> {
    return rootQuery(server, ...statements);
  }

  async globalStatus(server: ServerInfo, like = "%"): Promise<Record<string, string>> {
    const rows = await rootQuery(server, `SHOW GLOBAL STATUS LIKE ${mysql.escape(like)}`);
    const out: Record<string, string> = {};
    for (const row of rows) out[String(row.Variable_name)] = String(row.Value);
    return out;
  }

  /** Com_* counters: which statements a server has executed (proves where a statement ran). */
  async comCounters(server: ServerInfo): Promise<Record<string, number>> {
    const status = await this.globalStatus(server, "Com\\_%");
    const out: Record<string, number> = {};
    for (const [name, value] of Object.entries(status)) out[name] = Number(value);
    return out;
  }

  isRunning(server: ServerInfo): boolean {
    const pid = readPid(server);
    return pid !== undefined && isAlive(pid);
  }

  /** Starts a stopped server and waits until it accepts connections. */
  async start(server: ServerInfo, timeoutMs = 60_000): Promise<void> {
    if (this.isRunning(server)) return;
    const pid = spawnServer(this.mariadbd, server);
    await waitUntilAccepting(server, pid, timeoutMs);
  }

  stop(server: ServerInfo): Promise<void> {
    return stopServer(server);
  }

  kill(server: ServerInfo): Promise<void> {
    return killServer(server);
  }

  async pause(server: ServerInfo): Promise<void> {
    pauseServer(server);
  }

  async resume(server: ServerInfo): Promise<void> {
    resumeServer(server);
  }

  async restart(server: ServerInfo): Promise<void> {
    await this.stop(server);
    await this.start(server);
  }

  async stopReplicaSql(server: ServerInfo): Promise<void> {
    await rootQuery(server, "STOP SLAVE SQL_THREAD");
  }

  async startReplicaSql(server: ServerInfo): Promise<void> {
    await rootQuery(server, "START SLAVE SQL_THREAD");
  }

  /** Turns the general query log on or off; returns the log file's path. */
  /**
   * Turns semi-synchronous replication on or off: the primary waits (up to 5 s) for a replica to
   * have each commit before acknowledging it. Replicas restart their IO thread for it to apply.
   */
  async setSemiSync(on: boolean): Promise<void> {
    await rootQuery(
      this.primary,
      `SET GLOBAL rpl_semi_sync_master_enabled = ${on ? 1 : 0}`,
      "SET GLOBAL rpl_semi_sync_master_timeout = 5000",
    );
    for (const r of this.replicas) {
      await rootQuery(
        r,
        `SET GLOBAL rpl_semi_sync_slave_enabled = ${on ? 1 : 0}`,
        "STOP SLAVE IO_THREAD",
        "START SLAVE IO_THREAD",
      );
    }
  }

  async setGeneralLog(server: ServerInfo, on: boolean): Promise<string> {
    await rootQuery(server, `SET GLOBAL general_log = ${on ? 1 : 0}`);
    return generalLogFile(server);
  }

  /**
   * Waits until every other running server has applied everything `primary` has binlogged
   * (by default the server named primary; after a failover, pass the one that is primary now).
   */
  async waitForReplication(timeoutMs = 30_000, primary: ServerInfo = this.primary): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = String((await rootQuery(primary, "SELECT @@gtid_binlog_pos AS pos"))[0]?.pos ?? "");
    for (const replica of this.info.servers.filter((s) => s.name !== primary.name)) {
      if (!this.isRunning(replica)) continue;
      for (;;) {
        const rows = await rootQuery(replica, "SHOW SLAVE STATUS");
        const status = rows[0];
        const pos = String((await rootQuery(replica, "SELECT @@gtid_slave_pos AS pos"))[0]?.pos ?? "");
        if (status !== undefined && status.Slave_SQL_Running === "Yes" && gtidCovers(pos, target)) break;
        if (Date.now() > deadline) {
          throw new Error(
            `replica ${replica.name} did not catch up with ${target} (at ${pos}; IO=${String(status?.Slave_IO_Running)}, ` +
              `SQL=${String(status?.Slave_SQL_Running)}, error=${String(status?.Last_Error ?? "")}${String(status?.Last_IO_Error ?? "")})`,
          );
        }
        await sleep(50);
      }
    }
  }
}

/** True when GTID list `have` is at or past `want` in every replication domain of `want`. */
export function gtidCovers(have: string, want: string): boolean {
  const parse = (list: string) => {
    const byDomain = new Map<string, number>();
    for (const part of list.split(",").map((p) => p.trim())) {
      const [domain, , seq] = part.split("-");
      if (domain !== undefined && seq !== undefined) byDomain.set(domain, Number(seq));
    }
    return byDomain;
  };
  const haveMap = parse(have);
  for (const [domain, seq] of parse(want)) {
    if ((haveMap.get(domain) ?? -1) < seq) return false;
  }
  return true;
}

export async function waitUntilAccepting(server: ServerInfo, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await rootQuery(server, "SELECT 1");
      return;
    } catch (error) {
      if (!isAlive(pid)) {
        throw new Error(`mariadbd ${server.name} exited while starting:\n${tailOfErrorLog(server)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `mariadbd ${server.name} did not accept connections in ${timeoutMs} ms (${String(error)})`,
        );
      }
      await sleep(50);
    }
  }
}
