import mysql from "mysql2/promise";
import type { ServerInfo } from "./types.js";

export type Row = Record<string, unknown>;

/** Opens a root connection over the server's unix socket (root has no password there). */
export function rootConnection(server: ServerInfo, connectTimeout = 5_000): Promise<mysql.Connection> {
  return mysql.createConnection({
    socketPath: server.socket,
    user: "root",
    connectTimeout,
    multipleStatements: true,
  });
}

/** Runs statements as root, one after another, and returns the rows of the last one. */
export async function rootQuery(server: ServerInfo, ...statements: string[]): Promise<Row[]> {
  const conn = await rootConnection(server);
  try {
    let rows: Row[] = [];
    for (const sql of statements) {
      const [result] = await conn.query(sql);
      rows = Array.isArray(result) ? (result as Row[]) : [];
    }
    return rows;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
