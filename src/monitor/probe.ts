/**
 * Probes (I/O): one mysql2 connection per server with the monitor's credentials, kept across
 * checks, every step bounded by a timeout so that a hung server (SIGSTOP, a dead network path)
 * counts as failed instead of stalling the monitor. A connection that timed out or errored is
 * destroyed and reopened at the next check; the cooperative lock lives on these connections.
 */
import mysql from "mysql2/promise";
import type { Credentials } from "./config.js";
import type { MonitoredServer, ProbeResult, ReplicationChannel } from "./types.js";

export type Row = Record<string, unknown>;

export class ProbeTimeout extends Error {
  readonly code = "SLUICE_PROBE_TIMEOUT";
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

function isRefused(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "ECONNREFUSED";
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function str(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

export function parseChannel(row: Row): ReplicationChannel {
  return {
    connectionName: str(row.Connection_name),
    masterHost: str(row.Master_Host),
    masterPort: num(row.Master_Port) ?? 0,
    ioRunning: str(row.Slave_IO_Running),
    sqlRunning: str(row.Slave_SQL_Running) === "Yes",
    secondsBehindMaster: num(row.Seconds_Behind_Master),
    gtidIoPos: str(row.Gtid_IO_Pos),
    lastIoErrno: num(row.Last_IO_Errno) ?? 0,
    lastIoError: str(row.Last_IO_Error),
    lastSqlErrno: num(row.Last_SQL_Errno) ?? 0,
    lastSqlError: str(row.Last_SQL_Error),
  };
}

/** One server's monitor connection: opened lazily, reused, destroyed on any failure. */
export class ServerLink {
  private conn: mysql.Connection | null = null;
  private opening: Promise<mysql.Connection> | null = null;

  constructor(
    readonly server: MonitoredServer,
    private readonly credentials: Credentials,
    private readonly timeoutMs: number,
  ) {}

  private async connection(): Promise<mysql.Connection> {
    if (this.conn !== null) return this.conn;
    if (this.opening === null) {
      const opening = mysql.createConnection({
        host: this.server.host,
        port: this.server.port,
        user: this.credentials.user,
        password: this.credentials.password,
        connectTimeout: this.timeoutMs,
        supportBigNumbers: true,
        bigNumberStrings: true,
      });
      this.opening = opening;
      // A connect that loses the race with the timeout must still be closed when it lands.
      opening.then(
        (c) => {
          c.on("error", () => {
            if (this.conn === c) this.reset();
          });
          if (this.opening === opening) {
            this.conn = c;
            this.opening = null;
          } else {
            c.destroy();
          }
        },
        () => {
          if (this.opening === opening) this.opening = null;
        },
      );
    }
    return withTimeout(this.opening, this.timeoutMs, `connecting to ${this.server.name}`);
  }

  /** Runs one statement; any failure (including a timeout) drops the connection. */
  async query(sql: string, timeoutMs = this.timeoutMs): Promise<Row[]> {
    try {
      const conn = await this.connection();
      const [rows] = await withTimeout(
        conn.query(sql),
        timeoutMs,
        `${this.server.name}: ${sql.slice(0, 60)}`,
      );
      return Array.isArray(rows) ? (rows as Row[]) : [];
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  get connected(): boolean {
    return this.conn !== null;
  }

  reset(): void {
    this.conn?.destroy();
    this.conn = null;
    this.opening = null;
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    this.opening = null;
    if (c !== null) await withTimeout(c.end(), this.timeoutMs, "closing").catch(() => c.destroy());
  }
}

export async function probeServer(link: ServerLink, lockName: string): Promise<ProbeResult> {
  const server = link.server.name;
  try {
    const lock = mysql.escape(lockName);
    const [vars] = await link.query(
      "SELECT @@read_only AS read_only, @@version AS version, @@server_id AS server_id, " +
        "@@gtid_current_pos AS gtid_current_pos, @@gtid_binlog_pos AS gtid_binlog_pos, " +
        "@@gtid_slave_pos AS gtid_slave_pos, @@log_bin AS log_bin, @@log_slave_updates AS log_slave_updates, " +
        `IS_USED_LOCK(${lock}) AS lock_owner, CONNECTION_ID() AS connection_id`,
    );
    const channels = await link.query("SHOW ALL SLAVES STATUS");
    if (vars === undefined) throw new Error("the variables query returned no row");
    return {
      kind: "reachable",
      server,
      at: Date.now(),
      readOnly: Number(vars.read_only) === 1,
      version: str(vars.version),
      serverId: num(vars.server_id) ?? 0,
      gtidCurrentPos: str(vars.gtid_current_pos),
      gtidBinlogPos: str(vars.gtid_binlog_pos),
      gtidSlavePos: str(vars.gtid_slave_pos),
      logBin: Number(vars.log_bin) === 1,
      logSlaveUpdates: Number(vars.log_slave_updates) === 1,
      replication: channels.map(parseChannel),
      lockOwner: num(vars.lock_owner),
      connectionId: num(vars.connection_id) ?? -1,
    };
  } catch (error) {
    return {
      kind: "unreachable",
      server,
      at: Date.now(),
      error: errorText(error),
      definite: isRefused(error),
    };
  }
}
