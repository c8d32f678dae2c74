import { setTimeout as sleep } from "node:timers/promises";
import type mysql from "mysql2/promise";

/**
 * A mysql2 workload with a ledger: writers insert (writer, seq) rows one autocommit statement at a
 * time and remember every insert the server acknowledged; readers run short SELECTs. Errors are
 * counted by category, never thrown: faults are the point. After a run, `missingAcknowledged`
 * lists acknowledged rows that are not in the table (must be none: no committed write lost).
 * Used by the fault tests and by bench/soak.ts.
 */
export interface LoadOptions {
  readonly connect: () => Promise<mysql.Connection>;
  readonly table: string;
  readonly writers: number;
  readonly readers: number;
  /** pause between one worker's statements (keeps 2 shared cores usable) */
  readonly thinkMs?: number;
  /** the statement readers run (default: a point count on the ledger) */
  readonly readSql?: string;
}

export interface LoadTally {
  statements: number;
  acknowledgedWrites: number;
  reads: number;
  errors: Record<string, number>;
  /** statements that failed, by what the worker was doing */
  failedWrites: number;
  failedReads: number;
  reconnects: number;
}

/** A client error as a stable category: MySQL errno (with Sluice's meaning) or the driver's code. */
export function errorCategory(e: unknown): string {
  const err = e as { errno?: number; code?: string; message?: string };
  const names: Record<number, string> = {
    1040: "1040 too many connections / pool timeout",
    1045: "1045 access denied",
    1047: "1047 unknown command",
    1152: "1152 login aborted (no backend)",
    1153: "1153 packet too large",
    1203: "1203 max_user_connections",
    1290: "1290 read-only server",
    1835: "1835 malformed packet",
    1927: "1927 connection killed",
    2003: "2003 backend unavailable",
    2013: "2013 backend lost during query",
    4031: "4031 idle timeout",
  };
  if (typeof err.errno === "number" && err.errno > 0)
    return names[err.errno] ?? `${err.errno} ${err.code ?? ""}`.trim();
  return err.code ?? (err.message ?? "unknown").slice(0, 60);
}

export class LedgerLoad {
  readonly tally: LoadTally = {
    statements: 0,
    acknowledgedWrites: 0,
    reads: 0,
    errors: {},
    failedWrites: 0,
    failedReads: 0,
    reconnects: 0,
  };
  private readonly acked = new Map<number, number[]>();
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly connections = new Set<mysql.Connection>();

  constructor(private readonly options: LoadOptions) {}

  static async createTable(conn: mysql.Connection, table: string): Promise<void> {
    await conn.query(`DROP TABLE IF EXISTS ${table}`);
    await conn.query(
      `CREATE TABLE ${table} (writer INT NOT NULL, seq INT NOT NULL, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (writer, seq)) ENGINE=InnoDB`,
    );
  }

  start(writerBase = 0): void {
    this.running = true;
    for (let w = 0; w < this.options.writers; w++) this.workers.push(this.worker("write", writerBase + w));
    for (let r = 0; r < this.options.readers; r++) this.workers.push(this.worker("read", r));
  }

  /** Stops the workers; resolves false when some did not finish their statement within `graceMs` (a stuck session). */
  async stop(graceMs = 20_000): Promise<boolean> {
    this.running = false;
    const all = Promise.all(this.workers).then(() => true);
    const finished = await Promise.race([all, sleep(graceMs).then(() => false)]);
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    this.workers = [];
    return finished;
  }

  private count(e: unknown): void {
    const key = errorCategory(e);
    this.tally.errors[key] = (this.tally.errors[key] ?? 0) + 1;
  }

  private async worker(kind: "write" | "read", id: number): Promise<void> {
    let conn: mysql.Connection | undefined;
    let seq = this.acked.get(id)?.at(-1) ?? 0;
    const list = this.acked.get(id) ?? [];
    if (kind === "write") this.acked.set(id, list);
    while (this.running) {
      try {
        if (conn === undefined) {
          conn = await this.options.connect();
          conn.on("error", () => {});
          this.connections.add(conn);
        }
        this.tally.statements++;
        if (kind === "write") {
          seq++;
          await conn.query(`INSERT INTO ${this.options.table} (writer, seq) VALUES (?, ?)`, [id, seq]);
          list.push(seq);
          this.tally.acknowledgedWrites++;
        } else {
          await conn.query(
            this.options.readSql ?? `SELECT COUNT(*) AS n FROM ${this.options.table} WHERE writer = ?`,
            [id],
          );
          this.tally.reads++;
        }
      } catch (e) {
        this.count(e);
        if (kind === "write") this.tally.failedWrites++;
        else this.tally.failedReads++;
        // a connection-level failure: start over with a new connection
        const fatal = (e as { fatal?: boolean }).fatal === true || conn === undefined;
        if (fatal && conn !== undefined) {
          this.connections.delete(conn);
          conn.destroy();
          conn = undefined;
          this.tally.reconnects++;
        }
        await sleep(100);
      }
      if (this.options.thinkMs !== undefined) await sleep(this.options.thinkMs);
    }
    if (conn !== undefined) {
      this.connections.delete(conn);
      await conn.end().catch(() => conn?.destroy());
    }
  }

  /** Acknowledged (writer, seq) pairs missing from the table, as seen by `query`. */
  async missingAcknowledged(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<string[]> {
    const rows = await query(`SELECT writer, seq FROM ${this.options.table}`);
    const present = new Set(rows.map((r) => `${String(r.writer)}:${String(r.seq)}`));
    const missing: string[] = [];
    for (const [writer, seqs] of this.acked)
      for (const s of seqs) if (!present.has(`${writer}:${s}`)) missing.push(`${writer}:${s}`);
    return missing;
  }
}
