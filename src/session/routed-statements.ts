import { classifyCached } from "../classifier/cache.js";
import type { Facts } from "../classifier/facts.js";
import { Command } from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket, encodePackets } from "../protocol/packet-writer.js";
import { cursorRequested } from "../protocol/response-tracker.js";
import { encodeResultSet, encodeUnsignedIntResult } from "../protocol/result-set.js";
import { forwardCommand } from "./forwarder.js";
import { connectionIdQuestion } from "./kill-statement.js";
import {
  caughtUp,
  clientError,
  placeOn,
  type RoutedOutcome,
  type RoutedSession,
  statementRecord,
  timeoutError,
} from "./routed-query.js";
import { settleCommandTimedOut, settleTimedOut } from "./statement-timeout.js";

/** A statement the client prepared, as Sluice keeps it: text, class, and where it exists now. */
interface Statement {
  /** the text decoded for classification and logs only */
  readonly sql: string;
  /** the text as the client sent it, in its character set: what every server is sent */
  readonly text: Buffer;
  readonly facts: Facts;
  readonly params: number;
  /** parameter types from the first EXECUTE that bound them (clients send them only once) */
  types: Buffer | null;
  /** the lease it is prepared on, its id there, and whether that lease has seen its types */
  on: { readonly lease: object; readonly id: number; typesSent: boolean } | null;
  /** the time limit its last EXECUTE ran under (ms, 0: none), which its FETCHes keep */
  limitMs: number | undefined;
  /** a lone `SELECT CONNECTION_ID()`: its column name; Sluice answers it with its own id */
  connectionIdColumn: string | undefined;
}

/**
 * Binary-protocol prepared statements under a policy. Sluice hands the client its own statement
 * ids, keeps each statement's text and class, and prepares it lazily on whichever connection an
 * EXECUTE is routed to (a read may run on a replica), rewriting the statement id and, when that
 * connection never saw the parameter types, splicing in the types the client sent with its first
 * EXECUTE (MaxScale learned that the hard way). A connection going back to the pool is reset, so
 * statements never pile up on the servers (max_prepared_stmt_count).
 */
export class RoutedStatements {
  private readonly statements = new Map<number, Statement>();
  private nextId = 1;

  constructor(private readonly session: RoutedSession) {}

  handles(command: number): boolean {
    return (
      command === Command.StmtPrepare ||
      command === Command.StmtExecute ||
      command === Command.StmtSendLongData ||
      command === Command.StmtClose ||
      command === Command.StmtReset ||
      command === Command.StmtFetch
    );
  }

  async run(packet: Packet): Promise<RoutedOutcome> {
    const command = packet.payload[0];
    if (command === Command.StmtPrepare) return this.prepare(packet);
    const clientId = packet.payload.length >= 5 ? packet.payload.readUInt32LE(1) : 0;
    const statement = this.statements.get(clientId);
    if (command === Command.StmtClose) {
      // no response: close it where it lives, if the lease still holds it
      this.statements.delete(clientId);
      this.session.router.closedBinary(clientId);
      const held = this.session.held();
      if (
        statement?.on !== null &&
        statement !== undefined &&
        held !== undefined &&
        statement.on.lease === this.session.leaseToken()
      ) {
        held.conn.write(encodePacket(0, withId(packet.payload, statement.on.id)).bytes);
      }
      return { kind: "answered" };
    }
    if (statement === undefined) {
      const error = clientError(
        1243,
        "HY000",
        `Unknown prepared statement handler (${clientId}) given to ${commandName(command)}`,
      );
      this.session.write(encodePacket(1, encodeErr(error)).bytes);
      return { kind: "answered" };
    }
    if (command === Command.StmtExecute) return this.execute(packet, clientId, statement);
    if (command !== Command.StmtFetch) return this.onHeld(packet, clientId, statement);
    // A FETCH reads on from the rows its EXECUTE left in a cursor, on the same connection: it runs
    // under the limit that EXECUTE had (each FETCH anew), as the statement's rows are its work.
    this.session.deadline.start(
      statement.limitMs ?? this.session.router.timeoutFor(statement.facts, statement.sql),
    );
    try {
      return await this.onHeld(packet, clientId, statement);
    } finally {
      this.session.deadline.finish();
    }
  }

  /** SEND_LONG_DATA, RESET, FETCH: on the held connection, with the statement prepared there. */
  private async onHeld(packet: Packet, clientId: number, statement: Statement): Promise<RoutedOutcome> {
    const command = packet.payload[0];
    // SEND_LONG_DATA, RESET and FETCH act on the connection that has the statement's state
    // (long data waiting for the EXECUTE, an open cursor): they pin the session until it ends.
    const server = this.session.held()?.server ?? this.session.router.primaryServer();
    if (server === null) return this.unavailable(packet);
    if (!(await this.ensurePrepared(server, statement, packet.lastSeq + 1))) return { kind: "answered" };
    const on = statement.on!;
    if (command === Command.StmtSendLongData) this.session.router.preparedBinary(clientId);
    if (command === Command.StmtReset) this.session.router.closedBinary(clientId);
    const rewritten = packetWith(withId(packet.payload, on.id));
    if (command === Command.StmtSendLongData) {
      this.session.held()!.conn.write(rewritten.raw[0]!);
      return { kind: "answered" };
    }
    return this.forward(rewritten, server);
  }

  private async prepare(packet: Packet): Promise<RoutedOutcome> {
    const sql = packet.payload.toString("utf8", 1);
    const facts = classifyCached(sql);
    const server = this.session.held()?.server ?? this.session.router.primaryServer();
    if (server === null) return this.unavailable(packet);
    // A PREPARE waits on the server too (a metadata lock, a server that stopped answering). It runs
    // under the limit the policy gives the statement it prepares, wherever that will execute: a
    // DBA's `timeout` (or `timeout none`) for a statement then holds for all of its parts, and the
    // client sees one limit for `execute()` whether the PREPARE or the EXECUTE was the slow one.
    this.session.deadline.start(this.session.router.timeoutFor(facts, sql));
    try {
      return await this.prepareOn(server, packet, sql, facts);
    } finally {
      this.session.deadline.finish();
    }
  }

  private async prepareOn(server: string, packet: Packet, sql: string, facts: Facts): Promise<RoutedOutcome> {
    const seq = packet.lastSeq + 1;
    if ((await placeOn(this.session, server, seq, false)) !== true) return { kind: "answered" };
    if (this.session.deadline.expired) {
      this.session.held()?.conn.setIdle(true);
      this.session.write(encodePacket(seq, encodeErr(timeoutError(this.session))).bytes);
      return { kind: "answered" };
    }
    const clientId = this.nextId++;
    const held = this.session.held()!;
    const lease = this.session.leaseToken()!;
    const outcome = await forwardCommand(
      this.session.socket,
      this.session.input,
      held.conn,
      packet,
      undefined,
      (frame, index) => {
        // the PREPARE_OK's statement id becomes Sluice's id for the client (header 4 + status 1)
        if (index === 0 && frame.payload[0] === 0x00 && frame.raw.length >= 9)
          frame.raw.writeUInt32LE(clientId, 5);
      },
      this.session.deadline,
    );
    if (outcome.kind === "timed-out") return settleCommandTimedOut(this.session, held.conn, outcome, server);
    if (
      outcome.kind === "complete" &&
      outcome.state.error === undefined &&
      outcome.state.prepared !== undefined
    ) {
      const p = outcome.state.prepared;
      this.statements.set(clientId, {
        sql,
        // a copy: the packet's buffer is the client input's, reused for later packets
        text: Buffer.from(packet.payload.subarray(1)),
        facts,
        params: p.params,
        types: null,
        on: { lease, id: p.statementId, typesSent: false },
        limitMs: undefined,
        connectionIdColumn: p.params === 0 ? connectionIdQuestion(sql) : undefined,
      });
    }
    held.conn.setIdle(true);
    if (outcome.kind === "complete" && this.session.router.mayRelease()) this.session.release();
    return { kind: "forwarded", outcome, server };
  }

  private async execute(packet: Packet, clientId: number, statement: Statement): Promise<RoutedOutcome> {
    const now = Date.now();
    const seq = packet.lastSeq + 1;
    if (statement.connectionIdColumn !== undefined && !cursorRequested(packet.payload)) {
      // the id the handshake gave, as for the text protocol (see ClientSession)
      const payloads = encodeUnsignedIntResult(statement.connectionIdColumn, this.session.id, {
        capabilities: this.session.capabilities,
        status: this.session.status(),
        binary: true,
      });
      this.session.write(encodePackets(seq, payloads).bytes);
      return { kind: "answered" };
    }
    const types = boundTypes(packet.payload, statement.params);
    if (types !== null) statement.types = types;
    const step = this.session.router.planFacts(statement.facts, statement.sql, now);
    if (step.kind === "deny") {
      this.session.write(
        encodePacket(seq, encodeErr(clientError(step.code, step.sqlstate, step.message))).bytes,
      );
      return { kind: "answered" };
    }
    if (step.kind === "respond") {
      // Sluice's own answer, as binary-protocol rows (what a client expects after EXECUTE)
      const payloads = encodeResultSet(
        { columns: step.columns, rows: step.rows },
        { capabilities: this.session.capabilities, status: this.session.status(), binary: true },
      );
      this.session.write(encodePackets(seq, payloads).bytes);
      return { kind: "answered" };
    }
    if (step.kind !== "forward") {
      this.session.write(
        encodePacket(seq, encodeErr(MysqlErrors.backendUnavailable(step.rule, step.message))).bytes,
      );
      return { kind: "answered" };
    }
    statement.limitMs = step.timeoutMs;
    this.session.deadline.start(step.timeoutMs);
    try {
      const target = await this.causalTarget(step, seq);
      if (target === null) return { kind: "answered" };
      return await this.executeOn(target, packet, clientId, statement, types, now);
    } finally {
      this.session.deadline.finish();
    }
  }

  /**
   * A causal read first waits on its replica for the session's last write (as a text query
   * does); when the replica does not catch up in time it runs on the primary. Null: the client
   * got an error already.
   */
  private async causalTarget(
    step: Extract<ReturnType<RoutedSession["router"]["planFacts"]>, { kind: "forward" }>,
    seq: number,
  ): Promise<typeof step | null> {
    if (step.waitGtid === null) return step;
    if ((await placeOn(this.session, step.server, seq, false)) !== true) return null;
    if ((await caughtUp(this.session, step.waitGtid)) || this.session.deadline.expired) return step;
    const primary = this.session.router.primaryServer();
    return primary === null || primary === step.server ? step : { ...step, server: primary, waitGtid: null };
  }

  private async executeOn(
    step: Extract<ReturnType<RoutedSession["router"]["planFacts"]>, { kind: "forward" }>,
    packet: Packet,
    clientId: number,
    statement: Statement,
    types: Buffer | null,
    now: number,
  ): Promise<RoutedOutcome> {
    const seq = packet.lastSeq + 1;
    if (!(await this.ensurePrepared(step.server, statement, seq))) return { kind: "answered" };
    if (this.session.deadline.expired) {
      this.session.write(encodePacket(seq, encodeErr(timeoutError(this.session))).bytes);
      return { kind: "answered" };
    }
    const on = statement.on!;
    let payload = withId(packet.payload, on.id);
    if (types === null && !on.typesSent && statement.types !== null)
      payload = spliceTypes(payload, statement.params, statement.types);
    on.typesSent = true;
    // a cursor keeps the statement's rows on this connection until it is reset or closed
    if ((packet.payload[5] ?? 0) !== 0) this.session.router.preparedBinary(clientId);
    const end = this.session.beginOperation(step.server);
    const held = this.session.held()!;
    held.conn.setIdle(false);
    let outcome: Awaited<ReturnType<typeof forwardCommand>>;
    try {
      outcome = await forwardCommand(
        this.session.socket,
        this.session.input,
        held.conn,
        packetWith(payload),
        undefined,
        undefined,
        this.session.deadline,
      );
    } finally {
      end();
    }
    this.session.router.record(
      statementRecord(this.session, step, statement.facts, statement.sql, outcome, now),
    );
    if (outcome.kind === "timed-out")
      return settleTimedOut(this.session, held.conn, outcome, { ...step, sql: statement.sql, now });
    if (outcome.kind === "complete") {
      const st = outcome.state;
      const decision = this.session.router.afterStatement(
        statement.facts,
        statement.sql,
        step.pool,
        { ok: st.error === undefined, status: st.status, warnings: st.warnings, changes: st.changes },
        now,
      );
      held.conn.setIdle(true);
      if (decision === "release") this.session.release();
    }
    return { kind: "forwarded", outcome, server: step.server };
  }

  /** Holds a connection on `server` with the statement prepared there (lazily, silently). */
  private async ensurePrepared(server: string, statement: Statement, seq: number): Promise<boolean> {
    if ((await placeOn(this.session, server, seq, false)) !== true) return false;
    const lease = this.session.leaseToken()!;
    if (statement.on !== null && statement.on.lease === lease) return true;
    const held = this.session.held()!;
    held.conn.setIdle(false);
    const payload = Buffer.concat([Buffer.from([Command.StmtPrepare]), statement.text]);
    this.session.deadline.watch(held.conn);
    const st = await held.conn.command(payload).catch((e: Error) => e);
    this.session.deadline.unwatch();
    held.conn.setIdle(true);
    if (st instanceof Error || st.error !== undefined || st.prepared === undefined) {
      const error = this.session.deadline.expired
        ? timeoutError(this.session)
        : st instanceof Error
          ? MysqlErrors.backendLost(server, `while preparing the statement: ${st.message}`)
          : clientError(
              st.error?.errno ?? 1105,
              st.error?.sqlState ?? "HY000",
              `preparing on '${server}': ${st.error?.message ?? "no statement id"}`,
            );
      this.session.write(encodePacket(seq, encodeErr(error)).bytes);
      return false;
    }
    statement.on = { lease, id: st.prepared.statementId, typesSent: false };
    return true;
  }

  /** RESET or FETCH; the deadline bites only when one was started (FETCH, see `run`). */
  private async forward(packet: Packet, server: string): Promise<RoutedOutcome> {
    const held = this.session.held()!;
    held.conn.setIdle(false);
    const outcome = await forwardCommand(
      this.session.socket,
      this.session.input,
      held.conn,
      packet,
      undefined,
      undefined,
      this.session.deadline,
    );
    if (outcome.kind === "timed-out") return settleCommandTimedOut(this.session, held.conn, outcome, server);
    held.conn.setIdle(true);
    return { kind: "forwarded", outcome, server };
  }

  private unavailable(packet: Packet): RoutedOutcome {
    this.session.write(
      encodePacket(
        packet.lastSeq + 1,
        encodeErr(MysqlErrors.backendUnavailable("primary", "no primary is known")),
      ).bytes,
    );
    return { kind: "answered" };
  }
}

/** The payload with the statement id (bytes 1–4) replaced; a copy, the client's bytes stay. */
function withId(payload: Buffer, id: number): Buffer {
  const copy = Buffer.from(payload);
  copy.writeUInt32LE(id, 1);
  return copy;
}

function packetWith(payload: Buffer): Packet {
  const { bytes } = encodePacket(0, payload);
  return { seq: 0, lastSeq: 0, payload, raw: [bytes] };
}

/** COM_STMT_EXECUTE layout: cmd, id(4), flags(1), iterations(4), NULL bitmap, new-params-bound, types. */
function typesOffset(params: number): number {
  return 10 + Math.floor((params + 7) / 8);
}

/** The parameter types an EXECUTE binds, or null when it sends none (new-params-bound = 0). */
function boundTypes(payload: Buffer, params: number): Buffer | null {
  if (params === 0) return null;
  const at = typesOffset(params);
  if (payload[at] !== 1) return null;
  return Buffer.from(payload.subarray(at + 1, at + 1 + 2 * params));
}

/** Sets new-params-bound and inserts the types before the values. */
function spliceTypes(payload: Buffer, params: number, types: Buffer): Buffer {
  const at = typesOffset(params);
  return Buffer.concat([payload.subarray(0, at), Buffer.from([1]), types, payload.subarray(at + 1)]);
}

function commandName(command: number | undefined): string {
  switch (command) {
    case Command.StmtExecute:
      return "mysqld_stmt_execute";
    case Command.StmtFetch:
      return "mysqld_stmt_fetch";
    case Command.StmtReset:
      return "mysqld_stmt_reset";
    default:
      return "mysqld_stmt_send_long_data";
  }
}
