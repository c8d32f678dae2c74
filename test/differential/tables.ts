import mysql from "mysql2/promise";

/** Where a side connects: the primary itself, or Sluice in front of the cluster. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** The initial rows of every session's table: the same on both sides, so ids match. */
const ROWS = "(1,1,'a'),(2,2,'b'),(3,3,'c'),(4,4,'d'),(5,5,'e'),(6,6,'f')";

export const tableName = (n: number): string => `t_${n}`;

/**
 * Sets up and reads the sessions' tables, straight on the primary (never through Sluice), and
 * waits until the replicas have them before a session runs through Sluice: a read Sluice sends to
 * a replica must find the table with its initial rows.
 */
export class SessionTables {
  private readonly primary: mysql.Pool;
  private readonly replicas: mysql.Pool[];

  constructor(
    primary: Endpoint,
    replicas: readonly Endpoint[],
    private readonly databases: readonly string[],
  ) {
    this.primary = pool(primary);
    this.replicas = replicas.map(pool);
  }

  async prepare(): Promise<void> {
    for (const db of this.databases) await this.primary.query(`CREATE DATABASE IF NOT EXISTS ${db}`);
  }

  async create(n: number): Promise<void> {
    for (const db of this.databases) {
      const t = `${db}.${tableName(n)}`;
      await this.primary.query(`DROP TABLE IF EXISTS ${t}`);
      await this.primary.query(
        `CREATE TABLE ${t} (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b INT, s VARCHAR(20))`,
      );
      await this.primary.query(`INSERT INTO ${t} (a, b, s) VALUES ${ROWS}`);
    }
    await this.replicated();
  }

  /** Waits until every replica has applied everything the primary has binlogged so far. */
  async replicated(): Promise<void> {
    const [rows] = await this.primary.query<mysql.RowDataPacket[]>("SELECT @@gtid_binlog_pos AS pos");
    const pos = String(rows[0]?.pos ?? "");
    for (const replica of this.replicas) {
      const [waited] = await replica.query<mysql.RowDataPacket[]>("SELECT MASTER_GTID_WAIT(?, 30) AS r", [
        pos,
      ]);
      if (Number(waited[0]?.r) !== 0) throw new Error(`a replica did not reach ${pos} within 30 s`);
    }
  }

  async rows(db: string, n: number): Promise<unknown[]> {
    const [rows] = await this.primary.query({
      sql: `SELECT * FROM ${db}.${tableName(n)} ORDER BY id`,
      rowsAsArray: true,
    });
    return rows as unknown[];
  }

  async drop(n: number): Promise<void> {
    for (const db of this.databases) await this.primary.query(`DROP TABLE IF EXISTS ${db}.${tableName(n)}`);
  }

  async dropDatabases(): Promise<void> {
    for (const db of this.databases) await this.primary.query(`DROP DATABASE IF EXISTS ${db}`);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary, ...this.replicas].map((p) => p.end()));
  }
}

function pool(e: Endpoint): mysql.Pool {
  return mysql.createPool({ ...e, connectionLimit: 4, connectTimeout: 10_000 });
}
