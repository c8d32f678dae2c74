import type { Socket } from "node:net";
import type { Facts } from "../classifier/facts.js";
import type { BackendConnection } from "../pool/backend-connection.js";
import { Command } from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket, encodePackets } from "../protocol/packet-writer.js";
import { encodeResultSet } from "../protocol/result-set.js";
import type { SessionRouter } from "../routing/session-router.js";
import type { StatementRecord } from "../routing/statement-record.js";
import type { SyncStep } from "../routing/sync-plan.js";
import type { ClientInput } from "./client-input.js";
import { queryScalar } from "./control-query.js";
import { type ForwardOutcome, forwardCommand } from "./forwarder.js";
import {
  diagnosticsSeen,
  hasForeignDiagnostics,
  schemaSelected,
  stateChanged,
  statementVetted,
} from "./lease-hygiene.js";
import { captureResults } from "./result-capture.js";
import type { StatementDeadline } from "./statement-deadline.js";
import { type Interruption, settleTimedOut } from "./statement-timeout.js";

/** What a routed query needs from its session: the held connection and how to change it. */
export interface RoutedSession {
  /** Sluice's connection id (for the statement records) */
  readonly id: number;
  readonly socket: Socket;
  readonly input: ClientInput;
  readonly capabilities: number;
  readonly router: SessionRouter;
  /** the proxy's counters (Sluice's own statements are counted there) */
  readonly counters: { ownStatements: number };
  /** the status flags the session's last answer carried (autocommit, transaction, read only) */
  status(): number;
  /** the connection held now, if any */
  held(): { readonly server: string; readonly conn: BackendConnection } | undefined;
  /**
   * leases a connection on `server` (releasing any other); returns an error to send, if any.
   * `ownDiagnostics`: see LeaseHolder.acquire (default true)
   */
  switchTo(server: string, ownDiagnostics?: boolean): Promise<ClientError | undefined>;
  release(): void;
  /** the held connection failed: close it without giving it back */
  dropHeld(): void;
  /** identifies the held lease: a statement prepared under one token is unknown under another */
  leaseToken(): object | undefined;
  beginOperation(server: string): () => void;
  write(bytes: Buffer): void;
  /** the running statement's time limit (one per session, re-armed per statement) */
  readonly deadline: StatementDeadline;
  /** KILL QUERY for a backend thread on `server`, through another connection */
  killQuery(server: string, threadId: number): Promise<unknown>;
}

export type RoutedOutcome =
  | { readonly kind: "answered" }
  | { readonly kind: "forwarded"; readonly outcome: ForwardOutcome; readonly server: string }
  /** the statement ran out of time: the client has error 1969 (see statement-timeout.ts) */
  | { readonly kind: "interrupted"; readonly server: string; readonly end: Interruption };

/**
 * One COM_QUERY under a policy: plan it (classify → decide → route), answer it locally when the
 * policy denies or responds, else move to the planned server, bring that connection's session
 * state in line (USE / SET / replay), send the statement and stream the answer back.
 */
export async function runRoutedQuery(session: RoutedSession, packet: Packet): Promise<RoutedOutcome> {
  try {
    return await routeQuery(session, packet);
  } finally {
    session.deadline.finish();
  }
}

async function routeQuery(session: RoutedSession, packet: Packet): Promise<RoutedOutcome> {
  const sql = packet.payload.toString("utf8", 1);
  const now = Date.now();
  const seq = packet.lastSeq + 1;
  const avoid = new Set<string>();
  let captures = 0;
  const holdUntil = now + session.router.failoverHoldMs();
  for (let attempt = 0; ; attempt++) {
    const step = session.router.planQuery(sql, now, avoid, packet.payload);
    switch (step.kind) {
      case "capture": {
        // the statement must leave the held connection, which alone has results it reads
        const held = session.held();
        if (held === undefined || captures++ > 0) {
          // read off once already and still not movable: say so rather than loop
          const error = clientError(
            1105,
            "HY000",
            "Sluice cannot move this statement off the connection that has the earlier results or user variables it reads",
          );
          session.write(encodePacket(seq, encodeErr(error)).bytes);
          return { kind: "answered" };
        }
        await captureResults(session.router, held.conn, session.counters);
        attempt--;
        continue;
      }
      case "deny":
        session.write(
          encodePacket(seq, encodeErr(clientError(step.code, step.sqlstate, step.message))).bytes,
        );
        return { kind: "answered" };
      case "unavailable":
        // no server can take it now (a failover under way): wait for one, then plan again
        if (await heldForPrimary(holdUntil)) {
          attempt--;
          continue;
        }
        session.write(
          encodePacket(seq, encodeErr(MysqlErrors.backendUnavailable(step.rule, step.message))).bytes,
        );
        return { kind: "answered" };
      case "respond": {
        const payloads = encodeResultSet(
          { columns: step.columns, rows: step.rows },
          { capabilities: session.capabilities, status: session.status() },
        );
        session.write(encodePackets(seq, payloads).bytes);
        return { kind: "answered" };
      }
      case "forward":
        break;
    }
    // A read whose server cannot be reached, or dies before answering, is retried once on
    // another server: the client saw nothing of the first attempt.
    const retryable = attempt === 0 && session.router.mayRetry(step.facts);
    // the clock runs from the first attempt: a retry does not buy the statement more time
    if (attempt === 0) session.deadline.start(step.timeoutMs);
    // A statement that reads no table keeps the diagnostics of the one before: on a connection
    // that comes with another session's warnings, those must go first.
    const ownDiagnostics = step.facts.sameConnection.length > 0 || step.facts.tables.length === 0;
    const holdable = Date.now() < holdUntil;
    const placed = await placeOn(
      session,
      step.server,
      seq,
      retryable,
      ownDiagnostics,
      step.waitGtid,
      holdable,
    );
    if (placed === "unreachable") {
      await heldForPrimary(holdUntil);
      attempt--;
      continue;
    }
    if (placed === "retry") {
      avoid.add(step.server);
      continue;
    }
    let target = step;
    if (placed === "lagging") {
      // The replica did not apply the session's last write in time: read from the primary (or,
      // with none, on the replica as it is).
      const primary = session.router.primaryServer();
      const server = primary !== null && primary !== step.server ? primary : step.server;
      if ((await placeOn(session, server, seq, false, ownDiagnostics)) !== true) return { kind: "answered" };
      target = { ...step, server, waitGtid: null };
    } else if (!placed) return { kind: "answered" };
    if (session.deadline.expired) {
      session.write(encodePacket(seq, encodeErr(timeoutError(session))).bytes);
      return { kind: "answered" };
    }
    const result = await forwardOn(session, packet, target, sql, now);
    const failed = result.kind === "forwarded" ? result.outcome : undefined;
    if (retryable && failed?.kind === "backend-lost" && !failed.sentAnything) {
      session.dropHeld();
      avoid.add(target.server);
      continue;
    }
    return result;
  }
}

type ForwardStep = Extract<ReturnType<SessionRouter["planFacts"]>, { kind: "forward" }>;

/**
 * Holds a connection on `server` with the session's state in place (USE / SET / replay); on
 * failure the client gets the error and false comes back.
 */
export async function placeOn(
  session: RoutedSession,
  server: string,
  seq: number,
  retryable: boolean,
  /** the statement may read the previous one's diagnostics: see LeaseHolder.acquire */
  ownDiagnostics = true,
  /**
   * a causal read: the replica must have applied the session's last write. Waited for before the
   * session's state is brought over (its USE may name a database that write created); "lagging"
   * when it did not in time, with the connection held and not yet in the session's state.
   */
  wait: { readonly gtid: string; readonly timeoutMs: number } | null = null,
  /** the server could not be reached: say so ("unreachable") instead of answering the client */
  holdable = false,
): Promise<boolean | "retry" | "lagging" | "unreachable"> {
  const current = session.held();
  if (current?.server !== server || (ownDiagnostics && hasForeignDiagnostics(current.conn))) {
    // what only the connection being given up has must be read off it first
    if (current !== undefined) await captureResults(session.router, current.conn, session.counters);
    // Taking a connection can wait on a server that stopped answering (a new connection's login,
    // a pooled one's database selection): the client hears of the timeout when it expires.
    let answered = false;
    session.deadline.onExpiry(() => {
      answered = true;
      session.write(encodePacket(seq, encodeErr(timeoutError(session))).bytes);
    });
    const error = await session.switchTo(server, ownDiagnostics);
    session.deadline.clearExpiry();
    if (answered) {
      if (error === undefined) session.release(); // taken too late, but clean: back it goes
      return false;
    }
    if (error !== undefined && retryable && UNREACHABLE.has(error.errno)) return "retry";
    if (error !== undefined && holdable && UNREACHABLE.has(error.errno)) return "unreachable";
    // a causal read's database may be one the session's last write created, not there yet
    if (error?.errno === ER_BAD_DB && wait !== null) return "lagging";
    if (error !== undefined) {
      session.write(encodePacket(seq, encodeErr(error)).bytes);
      return false;
    }
  }
  const held = session.held()!;
  held.conn.setIdle(false);
  if (wait !== null && !(await caughtUp(session, wait)) && !session.deadline.expired) return "lagging";
  session.deadline.watch(held.conn);
  const syncError = await runSync(held.conn, session.router.syncFor(server), server);
  session.deadline.unwatch();
  if (syncError !== undefined) {
    // what the connection has now is not known: the next statement brings all of it over again
    session.router.syncFailed();
    held.conn.setIdle(true);
    const error = session.deadline.expired ? timeoutError(session) : syncError;
    session.write(encodePacket(seq, encodeErr(error)).bytes);
    return false;
  }
  session.router.synced();
  return true;
}

async function forwardOn(
  session: RoutedSession,
  packet: Packet,
  step: ForwardStep,
  sql: string,
  now: number,
): Promise<RoutedOutcome> {
  const held = session.held()!;
  const toSend =
    step.bytes !== undefined && step.bytes !== null
      ? payloadPacket(step.bytes)
      : step.sql === null
        ? packet
        : queryPacket(step.sql);
  const end = session.beginOperation(step.server);
  let outcome: ForwardOutcome;
  try {
    outcome = await forwardCommand(
      session.socket,
      session.input,
      held.conn,
      toSend,
      undefined,
      undefined,
      session.deadline,
    );
  } finally {
    end();
  }
  // a rewritten statement is not the one classified: not vetted, so the connection gets reset
  statementVetted(held.conn, step.sql === null ? step.facts : null);
  session.router.record(statementRecord(session, step, step.facts, sql, outcome, now));
  if (outcome.kind === "timed-out")
    return settleTimedOut(session, held.conn, outcome, { ...step, sql: step.sql ?? sql, now });
  if (outcome.kind === "complete") {
    const st = outcome.state;
    diagnosticsSeen(held.conn, st.error !== undefined || st.warnings > 0);
    if (st.error === undefined) held.conn.session.sawEffects(step.facts.sessionEffects);
    // With Sluice's trackers on, the OK packet carried last_gtid already (see afterStatement).
    if (st.error === undefined && !held.conn.session.active && session.router.needsGtidAfter(step.facts)) {
      const gtid = await queryScalar(held.conn, "SELECT @@last_gtid").catch(() => undefined);
      if (gtid?.kind === "value" && gtid.value !== null && gtid.value !== "")
        session.router.wrote(gtid.value);
    }
    const decision = session.router.afterStatement(
      step.facts,
      step.sql ?? sql,
      step.pool,
      {
        ok: st.error === undefined,
        status: st.status,
        warnings: st.warnings,
        changes: st.changes,
        rows: outcome.rowsSent,
        affectedRows: st.affectedRows,
        insertId: st.insertId,
      },
      now,
    );
    held.conn.setIdle(true);
    if (decision === "release") session.release();
  }
  return { kind: "forwarded", outcome, server: step.server };
}

/** Runs the sync steps; a failure (e.g. the database does not exist on a replica) is reported. */
async function runSync(
  conn: BackendConnection,
  steps: readonly SyncStep[],
  server: string,
): Promise<ClientError | undefined> {
  for (const step of steps) {
    const payload =
      step.kind === "init_db"
        ? Buffer.concat([Buffer.from([Command.InitDb]), Buffer.from(step.schema, "utf8")])
        : Buffer.concat([Buffer.from([Command.Query]), Buffer.from(step.sql, "utf8")]);
    // replaying the session's own SET of session_track_* leaves the trackers not Sluice's
    if (step.kind === "query" && /session_track_/i.test(step.sql)) conn.session.trackersChanged();
    if (step.kind === "query") stateChanged(conn);
    const st = await conn.command(payload).catch((e: Error) => e);
    if (st instanceof Error)
      return MysqlErrors.backendLost(server, `while restoring session state: ${st.message}`);
    if (step.kind === "init_db" && st.error === undefined) schemaSelected(conn, step.schema);
    if (st.error !== undefined) {
      // re-preparing for an EXECUTE is the EXECUTE's own work: its error is the one the server
      // gives that EXECUTE (e.g. 1146 once a table is gone)
      if (step.kind === "query" && step.reason === "prepare")
        return clientError(st.error.errno, st.error.sqlState, st.error.message);
      const what =
        step.kind === "init_db"
          ? `can't change the database to '${step.schema}'`
          : "can't restore session state";
      return clientError(
        st.error.errno,
        st.error.sqlState,
        `${what} on server '${server}': ${st.error.message}`,
      );
    }
  }
  return undefined;
}

/** Polls the topology while a statement waits for a primary. */
const HOLD_POLL_MS = 100;

/** Waits a little for the topology to change; false when the statement may wait no longer. */
async function heldForPrimary(holdUntil: number): Promise<boolean> {
  const left = holdUntil - Date.now();
  if (left <= 0) return false;
  await new Promise((resolve) => setTimeout(resolve, Math.min(HOLD_POLL_MS, left)));
  return true;
}

/** ER_BAD_DB_ERROR: the database to select does not exist (on that server, yet). */
const ER_BAD_DB = 1049;

/** Errors that say the server could not be reached or lost the connection: worth another server. */
const UNREACHABLE = new Set([2003, 2013]);

/** MASTER_GTID_WAIT on the replica: true when it has applied `gtid` within the timeout. */
export async function caughtUp(
  session: RoutedSession,
  wait: { readonly gtid: string; readonly timeoutMs: number },
): Promise<boolean> {
  const conn = session.held()!.conn;
  const gtid = wait.gtid.replace(/[^0-9,-]/g, "");
  session.deadline.watch(conn);
  const result = await queryScalar(
    conn,
    `SELECT MASTER_GTID_WAIT('${gtid}', ${wait.timeoutMs / 1000})`,
  ).catch(() => undefined);
  session.deadline.unwatch();
  return result?.kind === "value" && result.value === "0";
}

/** The error for a statement whose time ran out before it reached its server. */
export function timeoutError(session: RoutedSession): ClientError {
  return MysqlErrors.statementTimeout(session.deadline.limitMs);
}

function queryPacket(sql: string): Packet {
  return payloadPacket(Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]));
}

function payloadPacket(payload: Buffer): Packet {
  const { bytes } = encodePacket(0, payload);
  return { seq: 0, lastSeq: 0, payload, raw: [bytes] };
}

/** What query analysis learns of one forwarded statement; `now` is when it arrived. */
export function statementRecord(
  session: RoutedSession,
  step: { readonly server: string; readonly pool: string | null; readonly rule: string },
  facts: Facts,
  text: string,
  outcome: ForwardOutcome,
  now: number,
): StatementRecord {
  const state = session.router.sessionState;
  let rows = 0;
  let error: StatementRecord["error"] = null;
  let errorCode: number | null = null;
  let errorMessage: string | null = null;
  switch (outcome.kind) {
    case "complete": {
      const e = outcome.state.error;
      rows = outcome.rowsSent + outcome.state.affectedRows;
      if (e !== undefined) {
        error = "server";
        errorCode = e.errno;
        errorMessage = e.message;
      }
      break;
    }
    case "timed-out":
      error = "timeout";
      errorCode = 1969;
      errorMessage = "the statement ran past its time limit";
      break;
    default:
      error = "lost";
      errorCode = 2013;
      errorMessage = outcome.kind === "client-lost" ? "the client left" : outcome.reason;
  }
  return {
    session: session.id,
    user: state.user,
    schema: state.schema,
    text,
    fingerprint: facts.fingerprint,
    digest: facts.digest,
    pool: step.pool ?? "(stay)",
    server: step.server,
    rule: step.rule,
    latencyMs: Date.now() - now,
    rows,
    error,
    errorCode,
    errorMessage,
    at: now,
  };
}

export function clientError(errno: number, sqlState: string, message: string): ClientError {
  return { kind: "client-error", errno, sqlState, message };
}
