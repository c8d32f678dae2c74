import type { Socket } from "node:net";
import type { BackendConnection } from "../pool/backend-connection.js";
import { Command } from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket, encodePackets } from "../protocol/packet-writer.js";
import { encodeResultSet } from "../protocol/result-set.js";
import type { SessionRouter } from "../routing/session-router.js";
import type { SyncStep } from "../routing/sync-plan.js";
import type { ClientInput } from "./client-input.js";
import { queryScalar } from "./control-query.js";
import { type ForwardOutcome, forwardCommand } from "./forwarder.js";

/** What a routed query needs from its session: the held connection and how to change it. */
export interface RoutedSession {
  readonly socket: Socket;
  readonly input: ClientInput;
  readonly capabilities: number;
  readonly router: SessionRouter;
  /** the connection held now, if any */
  held(): { readonly server: string; readonly conn: BackendConnection } | undefined;
  /** leases a connection on `server` (releasing any other); returns an error to send, if any */
  switchTo(server: string): Promise<ClientError | undefined>;
  release(): void;
  /** the held connection failed: close it without giving it back */
  dropHeld(): void;
  /** identifies the held lease: a statement prepared under one token is unknown under another */
  leaseToken(): object | undefined;
  beginOperation(server: string): () => void;
  write(bytes: Buffer): void;
}

export type RoutedOutcome =
  | { readonly kind: "answered" }
  | { readonly kind: "forwarded"; readonly outcome: ForwardOutcome; readonly server: string };

/**
 * One COM_QUERY under a policy: plan it (classify → decide → route), answer it locally when the
 * policy denies or responds, else move to the planned server, bring that connection's session
 * state in line (USE / SET / replay), send the statement and stream the answer back.
 */
export async function runRoutedQuery(session: RoutedSession, packet: Packet): Promise<RoutedOutcome> {
  const sql = packet.payload.toString("utf8", 1);
  const now = Date.now();
  const seq = packet.lastSeq + 1;
  const avoid = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    const step = session.router.planQuery(sql, now, avoid);
    switch (step.kind) {
      case "deny":
        session.write(
          encodePacket(seq, encodeErr(clientError(step.code, step.sqlstate, step.message))).bytes,
        );
        return { kind: "answered" };
      case "unavailable":
        session.write(
          encodePacket(seq, encodeErr(MysqlErrors.backendUnavailable(step.rule, step.message))).bytes,
        );
        return { kind: "answered" };
      case "respond": {
        const payloads = encodeResultSet(
          { columns: step.columns, rows: step.rows },
          { capabilities: session.capabilities, status: 0x0002 },
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
    const placed = await placeOn(session, step.server, seq, retryable);
    if (placed === "retry") {
      avoid.add(step.server);
      continue;
    }
    if (!placed) return { kind: "answered" };
    let target = step;
    if (step.waitGtid !== null && !(await caughtUp(session.held()!.conn, step.waitGtid))) {
      // The replica did not apply the session's last write in time: read from the primary.
      const primary = session.router.primaryServer();
      if (primary !== null && primary !== step.server) {
        if ((await placeOn(session, primary, seq, false)) !== true) return { kind: "answered" };
        target = { ...step, server: primary, waitGtid: null };
      }
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

type ForwardStep = Extract<ReturnType<SessionRouter["planQuery"]>, { kind: "forward" }>;

/**
 * Holds a connection on `server` with the session's state in place (USE / SET / replay); on
 * failure the client gets the error and false comes back.
 */
export async function placeOn(
  session: RoutedSession,
  server: string,
  seq: number,
  retryable: boolean,
): Promise<boolean | "retry"> {
  if (session.held()?.server !== server) {
    const error = await session.switchTo(server);
    if (error !== undefined && retryable && UNREACHABLE.has(error.errno)) return "retry";
    if (error !== undefined) {
      session.write(encodePacket(seq, encodeErr(error)).bytes);
      return false;
    }
  }
  const held = session.held()!;
  held.conn.setIdle(false);
  const syncError = await runSync(held.conn, session.router.syncFor(server), server);
  if (syncError !== undefined) {
    held.conn.setIdle(true);
    session.write(encodePacket(seq, encodeErr(syncError)).bytes);
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
  const toSend = step.sql === null ? packet : queryPacket(step.sql);
  const end = session.beginOperation(step.server);
  let outcome: ForwardOutcome;
  try {
    outcome = await forwardCommand(session.socket, session.input, held.conn, toSend);
  } finally {
    end();
  }
  session.router.record({
    fingerprint: step.facts.fingerprint,
    digest: step.facts.digest,
    pool: step.pool ?? "(stay)",
    server: step.server,
    rule: step.rule,
    latencyMs: Date.now() - now,
    error: outcome.kind === "complete" ? (outcome.state.error === undefined ? null : "server") : "lost",
    at: now,
  });
  if (outcome.kind === "complete") {
    const st = outcome.state;
    if (st.error === undefined && session.router.needsGtidAfter(step.facts)) {
      const gtid = await queryScalar(held.conn, "SELECT @@last_gtid").catch(() => undefined);
      if (gtid?.kind === "value" && gtid.value !== null && gtid.value !== "")
        session.router.wrote(gtid.value);
    }
    const decision = session.router.afterStatement(
      step.facts,
      step.sql ?? sql,
      step.pool,
      { ok: st.error === undefined, status: st.status, warnings: st.warnings },
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
    const st = await conn.command(payload).catch((e: Error) => e);
    if (st instanceof Error)
      return MysqlErrors.backendLost(server, `while restoring session state: ${st.message}`);
    if (st.error !== undefined) {
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

/** Errors that say the server could not be reached or lost the connection: worth another server. */
const UNREACHABLE = new Set([2003, 2013]);

/** MASTER_GTID_WAIT on the replica: true when it has applied `gtid` within the timeout. */
async function caughtUp(
  conn: BackendConnection,
  wait: { readonly gtid: string; readonly timeoutMs: number },
): Promise<boolean> {
  const gtid = wait.gtid.replace(/[^0-9,-]/g, "");
  const result = await queryScalar(
    conn,
    `SELECT MASTER_GTID_WAIT('${gtid}', ${wait.timeoutMs / 1000})`,
  ).catch(() => undefined);
  return result?.kind === "value" && result.value === "0";
}

function queryPacket(sql: string): Packet {
  const payload = Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
  const { bytes } = encodePacket(0, payload);
  return { seq: 0, lastSeq: 0, payload, raw: [bytes] };
}

export function clientError(errno: number, sqlState: string, message: string): ClientError {
  return { kind: "client-error", errno, sqlState, message };
}
