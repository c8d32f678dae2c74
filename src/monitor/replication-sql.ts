/** The statements that move replication around (pure builders, quoted once here). */
import mysql from "mysql2/promise";
import type { Credentials } from "./config.js";
import type { MonitoredServer } from "./types.js";

function channel(name: string): string {
  return name === "" ? "" : ` ${mysql.escape(name)}`;
}

/** Points a server at `primary`, resuming from its gtid_slave_pos. */
export function changeMasterSql(
  primary: MonitoredServer,
  replication: Credentials,
  connectRetrySeconds: number,
  connectionName = "",
): string {
  return (
    `CHANGE MASTER${channel(connectionName)} TO MASTER_HOST=${mysql.escape(primary.host)}, ` +
    `MASTER_PORT=${Number(primary.port)}, MASTER_USER=${mysql.escape(replication.user)}, ` +
    `MASTER_PASSWORD=${mysql.escape(replication.password)}, MASTER_USE_GTID=slave_pos, ` +
    `MASTER_CONNECT_RETRY=${Math.max(1, Math.floor(connectRetrySeconds))}`
  );
}

export function stopSlaveSql(connectionName = ""): string {
  return `STOP SLAVE${channel(connectionName)}`;
}

export function startSlaveSql(connectionName = ""): string {
  return `START SLAVE${channel(connectionName)}`;
}

export function stopIoThreadSql(connectionName = ""): string {
  return `STOP SLAVE${channel(connectionName)} IO_THREAD`;
}

export function startSqlThreadSql(connectionName = ""): string {
  return `START SLAVE${channel(connectionName)} SQL_THREAD`;
}

/** Waits until this replica has applied `gtid`; returns 0, or -1 on timeout. */
export function masterGtidWaitSql(gtid: string, timeoutMs: number): string {
  return `SELECT MASTER_GTID_WAIT(${mysql.escape(gtid)}, ${(timeoutMs / 1000).toFixed(3)}) AS waited`;
}

export function setGtidSlavePosSql(gtid: string): string {
  return `SET GLOBAL gtid_slave_pos = ${mysql.escape(gtid)}`;
}

export function resetSlaveAllSql(connectionName = ""): string {
  return `RESET SLAVE${channel(connectionName)} ALL`;
}

/** A promoted server: no replication left (every channel forgotten), writable. */
export function promoteSql(connectionNames: readonly string[]): string[] {
  const names = connectionNames.includes("") ? connectionNames : ["", ...connectionNames];
  return ["STOP ALL SLAVES", ...names.map(resetSlaveAllSql), "SET GLOBAL read_only = 0"];
}

export const fenceSql = "SET GLOBAL read_only = 1";
