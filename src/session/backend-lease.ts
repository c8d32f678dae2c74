import type { Logger } from "pino";
import type { BackendConnection } from "../pool/backend-connection.js";
import { BackendError } from "../pool/backend-socket.js";
import type { Pool } from "../pool/pool.js";
import type { PoolKey } from "../pool/pool-types.js";
import { Command } from "../protocol/constants.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import {
  CLEAR_DIAGNOSTICS_SQL,
  diagnosticsCleared,
  hasForeignDiagnostics,
  leaseStarted,
  mayHoldSessionState,
  returned,
  schemaSelected,
  selectedSchema,
} from "./lease-hygiene.js";
import { acquireError, fromServerError } from "./session-errors.js";
import type { StatementDeadline } from "./statement-deadline.js";

/** The backend connection a session holds between and during commands. */
export interface Lease {
  readonly key: PoolKey;
  readonly conn: BackendConnection;
  /** the session changed something COM_RESET_CONNECTION does not undo (COM_SET_OPTION) */
  dirty: boolean;
}

/**
 * A connection idle longer than this gets COM_INIT_DB even when it has the database already: the
 * round trip doubles as a check that the server did not close it unseen (see `acquire`).
 */
const PROBE_AFTER_MS = 1_000;

const CLEAR_DIAGNOSTICS = Buffer.concat([
  Buffer.from([Command.Query]),
  Buffer.from(CLEAR_DIAGNOSTICS_SQL, "utf8"),
]);

/**
 * Holds at most one leased backend connection for a session: takes it from the pool (selecting
 * the session's database unless the connection has it), gives it back (reset before reuse unless
 * the lease provably changed no session state, see lease-hygiene.ts) or destroys it, and reports
 * when the server closes it while held.
 */
export class LeaseHolder {
  private lease: Lease | undefined;
  private offClose: (() => void) | undefined;
  /**
   * connections a KILL is on its way to: closed when let go, never pooled (the KILL could hit
   * the next holder)
   */
  private readonly killTargets = new Set<BackendConnection>();

  constructor(
    private readonly pool: Pool<BackendConnection>,
    private readonly log: Logger,
    private readonly onLost: (reason: Error) => void,
    /** counts statements Sluice runs on its own (clearing another session's warnings) */
    private readonly counters?: { ownStatements: number },
  ) {}

  get current(): Lease | undefined {
    return this.lease;
  }

  /**
   * Leases a connection for `key`; returns the error to send the client, if any. A statement's
   * `deadline` may cut the wait on a server that does not answer the database selection.
   * `ownDiagnostics`: something may read the diagnostics of the statement before (SHOW WARNINGS,
   * FOUND_ROWS(), ROW_COUNT()…) before the session sends a statement of its own, so a connection
   * another session gave back has them cleared first: another session's must never show. False
   * only when the session's own statement runs next and needs none.
   */
  async acquire(
    key: PoolKey,
    database: string | undefined,
    deadline?: Pick<StatementDeadline, "watch" | "unwatch" | "expired">,
    ownDiagnostics = true,
  ): Promise<ClientError | undefined> {
    let conn: BackendConnection | undefined;
    // An idle pooled connection the server closed a moment ago (KILL, wait_timeout) may not have
    // reported its close yet: if it dies on its first command, take another one, once.
    for (let attempt = 0; conn === undefined; attempt++) {
      let candidate: BackendConnection;
      try {
        candidate = await this.pool.acquire(key, database === undefined ? withoutDatabase : undefined);
      } catch (e) {
        // A new connection the server closed while it was being set up (a KILL of the user's
        // threads, a server going down) says nothing about the next one: try again, up to twice.
        // A refused connection, a timeout or a login error stays an error at once.
        if (e instanceof BackendError && e.code === "CLOSED" && attempt < 2) continue;
        this.log.warn({ server: key.server, err: (e as Error).message }, "cannot get a backend connection");
        return acquireError(e, key.server);
      }
      if (ownDiagnostics && hasForeignDiagnostics(candidate)) {
        if (this.counters !== undefined) this.counters.ownStatements++;
        const cleared = await candidate.command(CLEAR_DIAGNOSTICS).catch(() => undefined);
        if (cleared === undefined || cleared.error !== undefined) {
          this.pool.release(key, candidate, false);
          if (attempt >= 1) return MysqlErrors.backendLost(key.server, "while clearing diagnostics");
          continue;
        }
        diagnosticsCleared(candidate);
      }
      // MariaDB keeps the database across COM_RESET_CONNECTION: a connection that has the
      // session's database needs no COM_INIT_DB (unless it sat idle: then the round trip is the
      // liveness check, see the loop's comment). With Sluice's trackers on, the database the
      // server last reported is the truth (a USE in an EXECUTE IMMEDIATE is in no facts).
      const has = candidate.session.active ? candidate.session.schema : selectedSchema(candidate);
      if (database === undefined) {
        if (withoutDatabase(candidate)) {
          conn = candidate;
          break;
        }
        // Nothing deselects a database: a session without one must not run on a connection
        // another session left in its database (an unqualified name would resolve there instead
        // of failing with 1046). The pool had no room for a fresh connection: close this one so
        // that the next try opens one.
        this.pool.release(key, candidate, false);
        if (attempt >= 2)
          return MysqlErrors.backendLost(key.server, "while looking for a connection without a database");
        continue;
      }
      if (has === database && Date.now() - candidate.lastUsed < PROBE_AFTER_MS) {
        conn = candidate;
        break;
      }
      const payload = Buffer.concat([Buffer.from([Command.InitDb]), Buffer.from(database, "utf8")]);
      deadline?.watch(candidate);
      const st = await candidate.command(payload).catch(() => undefined);
      deadline?.unwatch();
      if (st !== undefined && st.error === undefined) {
        schemaSelected(candidate, database);
        conn = candidate;
        break;
      }
      returned(candidate);
      this.pool.release(key, candidate, st !== undefined);
      if (st?.error !== undefined) return fromServerError(st.error);
      if (attempt >= 1 || deadline?.expired === true)
        return MysqlErrors.backendLost(key.server, "while selecting the database");
    }
    this.lease = { key, conn, dirty: false };
    leaseStarted(conn);
    this.offClose = conn.onClose((reason) => {
      if (this.lease?.conn !== conn) return;
      this.forget();
      this.onLost(reason);
    });
    // between commands any data from the server means it is going away
    conn.setIdle(true);
    return undefined;
  }

  /**
   * Back to the pool or, when not reusable, closed. Reset before reuse unless neither Sluice's
   * classification of what the lease ran nor the server's session trackers saw a change.
   */
  release(reusable: boolean): void {
    const lease = this.forget();
    if (lease === undefined) return;
    const conn = lease.conn;
    conn.setIdle(false);
    const reset = mayHoldSessionState(conn) || conn.sessionStateChanged;
    returned(conn);
    this.pool.release(lease.key, conn, reusable && !lease.dirty && !this.killTargets.has(conn), reset);
  }

  /** The held connection is a KILL's target until the returned function is called. */
  markKillTarget(): () => void {
    const conn = this.lease?.conn;
    if (conn === undefined) return () => {};
    this.killTargets.add(conn);
    return () => this.killTargets.delete(conn);
  }

  /** Takes the held lease away (no longer watched); the caller gives it back to the pool. */
  take(): Lease | undefined {
    return this.forget();
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

/**
 * Gives a taken lease back, first rolling back its open transaction when `rollBack` (resolving
 * when that is done: KILL SESSION answers only then). A connection whose ROLLBACK fails is
 * closed, which rolls back on the server just the same.
 */
export async function giveBack(
  pool: Pool<BackendConnection>,
  lease: Lease,
  rollBack: boolean,
): Promise<void> {
  lease.conn.setIdle(false);
  returned(lease.conn);
  const clean =
    !rollBack ||
    (await lease.conn.command(ROLLBACK).then(
      (st) => st.error === undefined,
      () => false,
    ));
  pool.release(lease.key, lease.conn, clean && !lease.dirty);
}

const ROLLBACK = Buffer.concat([Buffer.from([Command.Query]), Buffer.from("ROLLBACK", "utf8")]);

/**
 * A connection in no database, as far as anyone can know: the server's trackers say so, or they
 * are off (then Sluice cannot tell, and keeps the behaviour it always had).
 */
function withoutDatabase(conn: BackendConnection): boolean {
  return !conn.session.active || conn.session.schema === null;
}
