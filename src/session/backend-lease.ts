import type { Logger } from "pino";
import type { BackendConnection } from "../pool/backend-connection.js";
import type { Pool, PoolKey } from "../pool/pool.js";
import { Command } from "../protocol/constants.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { acquireError, fromServerError } from "./session-errors.js";

/** The backend connection a session holds between and during commands. */
export interface Lease {
  readonly key: PoolKey;
  readonly conn: BackendConnection;
  /** the session changed something COM_RESET_CONNECTION does not undo (COM_SET_OPTION) */
  dirty: boolean;
}

/**
 * Holds at most one leased backend connection for a session: takes it from the pool (selecting
 * the session's database), gives it back (reset before reuse) or destroys it, and reports when
 * the server closes it while held.
 */
export class LeaseHolder {
  private lease: Lease | undefined;
  private offClose: (() => void) | undefined;

  constructor(
    private readonly pool: Pool<BackendConnection>,
    private readonly log: Logger,
    private readonly onLost: (reason: Error) => void,
  ) {}

  get current(): Lease | undefined {
    return this.lease;
  }

  /** Leases a connection for `key`; returns the error to send the client, if any. */
  async acquire(key: PoolKey, database: string | undefined): Promise<ClientError | undefined> {
    let conn: BackendConnection | undefined;
    // An idle pooled connection the server closed a moment ago (KILL, wait_timeout) may not have
    // reported its close yet: if it dies on its first command, take another one, once.
    for (let attempt = 0; conn === undefined; attempt++) {
      let candidate: BackendConnection;
      try {
        candidate = await this.pool.acquire(key);
      } catch (e) {
        this.log.warn({ server: key.server, err: (e as Error).message }, "cannot get a backend connection");
        return acquireError(e, key.server);
      }
      if (database === undefined) {
        conn = candidate;
        break;
      }
      const payload = Buffer.concat([Buffer.from([Command.InitDb]), Buffer.from(database, "utf8")]);
      const st = await candidate.command(payload).catch(() => undefined);
      if (st !== undefined && st.error === undefined) {
        conn = candidate;
        break;
      }
      this.pool.release(key, candidate, st !== undefined);
      if (st?.error !== undefined) return fromServerError(st.error);
      if (attempt >= 1) return MysqlErrors.backendLost(key.server, "while selecting the database");
    }
    this.lease = { key, conn, dirty: false };
    this.offClose = conn.onClose((reason) => {
      if (this.lease?.conn !== conn) return;
      this.forget();
      this.onLost(reason);
    });
    // between commands any data from the server means it is going away
    conn.setIdle(true);
    return undefined;
  }

  /** Back to the pool (reset before reuse) or, when not reusable, closed. */
  release(reusable: boolean): void {
    const lease = this.forget();
    if (lease === undefined) return;
    lease.conn.setIdle(false);
    this.pool.release(lease.key, lease.conn, reusable && !lease.dirty);
  }

  /** Closes the held connection (mid-response or broken: it cannot be reused). */
  drop(): void {
    this.forget()?.conn.destroy();
  }

  private forget(): Lease | undefined {
    const lease = this.lease;
    this.lease = undefined;
    this.offClose?.();
    this.offClose = undefined;
    return lease;
  }
}
