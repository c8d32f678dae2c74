/**
 * What happens when a statement runs past its time limit (policy `timeout`, pool
 * `statement_timeout`, config `pools.statement_timeout_ms`). Covered: COM_QUERY, and the commands
 * that wait on the server for a statement or the session: COM_STMT_PREPARE / EXECUTE / FETCH
 * (under the limit of the statement they run) and COM_INIT_DB (under the limit of `USE db`).
 * Commands Sluice answers itself carry none.
 *
 * The limit is kept by Sluice, not by the server. `SET STATEMENT max_statement_time=… FOR …` would
 * let MariaDB stop a slow read itself, but it does nothing for a server that has stopped answering
 * (SIGSTOP, a dead disk, a network black hole), which is what a proxy most needs a limit for; it
 * would rewrite the client's bytes on every statement (the data path forwards them untouched); and
 * it cannot be put in front of a binary-protocol EXECUTE, which carries no SQL text. One mechanism
 * covering every case is simpler to reason about than two that race.
 *
 * So: the client is answered at once with MariaDB's own error for an exceeded max_statement_time
 * (1969, SQLSTATE 70100), then the statement is stopped on the server with KILL QUERY through
 * another connection, and what remains of its response is read and thrown away. The connection
 * stays with the session only when that response ended and the KILL was settled within a short
 * grace; otherwise it is destroyed, never handed back mid-response. KILL QUERY leaves an open
 * transaction open (only the statement is rolled back), as max_statement_time does. As with any
 * client-side timeout, a statement that completes in the instant between expiry and the KILL has
 * taken effect although the client was told it was interrupted.
 */
import type { Facts } from "../classifier/facts.js";
import type { BackendConnection } from "../pool/backend-connection.js";
import { Command } from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { isFinished, type TrackerState, trackFrame } from "../protocol/response-tracker.js";
import type { ForwardOutcome } from "./forwarder.js";
import type { RoutedOutcome, RoutedSession } from "./routed-query.js";

/** How long the server gets to end an interrupted statement before its connection is dropped. */
export const KILL_GRACE_MS = 2_000;

export type TimedOut = Extract<ForwardOutcome, { kind: "timed-out" }>;

/** How an interrupted statement ended on the backend. */
type Ended =
  /** the response ended: the connection is clean and stays with the session */
  | { readonly kind: "kept"; readonly state: TrackerState }
  /** the server did not end it in time: the connection was destroyed */
  | { readonly kind: "dropped"; readonly reason: string };

/** …and whether the client could be told. */
export type Interruption = Ended & {
  /** false when the client was inside a split packet and got no error: its session must end */
  readonly clientUsable: boolean;
};

/** What interrupting needs from the session. */
export interface InterruptContext {
  /** sends bytes to the client */
  write(bytes: Buffer): void;
  /** runs KILL QUERY for the backend thread on another connection to `server` */
  killQuery(server: string, threadId: number): Promise<unknown>;
}

/**
 * After the forwarder gave up on a routed statement: interrupt it, then settle the session's
 * connection (kept: the statement failed like any other; dropped: the session lets it go).
 */
export async function settleTimedOut(
  session: RoutedSession,
  conn: BackendConnection,
  outcome: TimedOut,
  statement: {
    readonly server: string;
    readonly pool: string | null;
    readonly facts: Facts;
    readonly sql: string;
    readonly now: number;
  },
): Promise<RoutedOutcome> {
  const end = await interruptStatement(session, statement.server, conn, outcome, session.deadline.limitMs);
  if (end.kind === "kept") {
    const st = end.state;
    const decision = session.router.afterStatement(
      statement.facts,
      statement.sql,
      statement.pool,
      { ok: false, status: st.status, warnings: st.warnings },
      statement.now,
    );
    conn.setIdle(true);
    if (decision === "release") session.release();
  } else {
    session.dropHeld();
  }
  return { kind: "interrupted", server: statement.server, end };
}

/**
 * The same for a command that is part of a statement or of the session rather than a statement
 * the router tracks (COM_STMT_PREPARE, COM_STMT_FETCH, COM_INIT_DB): it failed, so the router has
 * nothing to learn; the connection stays (and goes back when nothing pins it) or is let go.
 */
export async function settleCommandTimedOut(
  session: RoutedSession,
  conn: BackendConnection,
  outcome: TimedOut,
  server: string,
): Promise<Extract<RoutedOutcome, { kind: "interrupted" }>> {
  const end = await interruptStatement(session, server, conn, outcome, session.deadline.limitMs);
  if (end.kind === "kept") {
    // a PREPARE that completed in the instant before the KILL: the client was told it failed
    const prepared = end.state.prepared;
    if (prepared !== undefined) conn.write(encodePacket(0, stmtClose(prepared.statementId)).bytes);
    conn.setIdle(true);
    if (session.router.mayRelease()) session.release();
  } else {
    session.dropHeld();
  }
  return { kind: "interrupted", server, end };
}

/**
 * Answers the client with 1969 (unless it is inside a packet split over frames, where no error
 * can be placed: then it learns of the failure when its session ends), KILLs the statement and
 * drains or drops the connection.
 */
export async function interruptStatement(
  ctx: InterruptContext,
  server: string,
  conn: BackendConnection,
  outcome: TimedOut,
  limitMs: number,
  graceMs = KILL_GRACE_MS,
): Promise<Interruption> {
  const clientUsable = !outcome.state.continuation;
  if (clientUsable)
    ctx.write(encodePacket(outcome.lastSeq + 1, encodeErr(MysqlErrors.statementTimeout(limitMs))).bytes);
  const ended = await endOnServer(ctx, server, conn, outcome.state, graceMs);
  return { ...ended, clientUsable };
}

async function endOnServer(
  ctx: InterruptContext,
  server: string,
  conn: BackendConnection,
  state: TrackerState,
  graceMs: number,
): Promise<Ended> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  // A KILL still on its way could hit the next statement on this connection: both must be over.
  const killed = ctx.killQuery(server, conn.threadId).catch(() => undefined);
  const drained = drain(conn, state).catch((e: Error) => e);
  const first = await Promise.race([Promise.all([drained, killed]), late]);
  clearTimeout(timer);
  if (first === "late") {
    conn.destroy();
    return { kind: "dropped", reason: `the server did not end the statement within ${graceMs} ms` };
  }
  const [end] = first;
  if (end instanceof Error) return { kind: "dropped", reason: end.message };
  if (end.phase.kind === "violation") {
    conn.destroy();
    return { kind: "dropped", reason: end.phase.reason };
  }
  return { kind: "kept", state: end };
}

/** Reads the rest of a response without forwarding it (the forwarder stopped at `state`). */
async function drain(conn: BackendConnection, state: TrackerState): Promise<TrackerState> {
  let s = state;
  while (!isFinished(s)) s = trackFrame(s, await conn.nextFrame());
  return s;
}

/** COM_STMT_CLOSE for a statement id (the server sends no response). */
function stmtClose(statementId: number): Buffer {
  const payload = Buffer.alloc(5);
  payload[0] = Command.StmtClose;
  payload.writeUInt32LE(statementId, 1);
  return payload;
}
