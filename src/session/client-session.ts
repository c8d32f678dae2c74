import type { Socket } from "node:net";
import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr, encodeOk } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket, encodePackets } from "../protocol/packet-writer.js";
import { encodeUnsignedIntResult } from "../protocol/result-set.js";
import type { SessionRouter } from "../routing/session-router.js";
import { afterForward, afterInterrupt } from "./after-forward.js";
import { profileKey } from "./capabilities.js";
import { type ForwardOutcome, forwardCommand } from "./forwarder.js";
import { handleKill } from "./kill-handler.js";
import {
  connectionIdQuestion,
  killInMultiStatement,
  mayAskConnectionId,
  mayBeKill,
  mayHoldKillAmongOthers,
  parseKill,
} from "./kill-statement.js";
import { runRoutedInitDb } from "./routed-init-db.js";
import { type RoutedSession, runRoutedQuery } from "./routed-query.js";
import { routedView } from "./routed-view.js";
import { type KillAfterCommand, killFromAdmin, sessionView } from "./session-admin.js";
import { SessionCore } from "./session-core.js";
import { farewellFor } from "./session-errors.js";
import { logIn, switchUser } from "./session-login.js";
import type { KillableSession, SessionServices } from "./session-services.js";
import type { SessionView } from "./session-view.js";
import type { Interruption } from "./statement-timeout.js";

/**
 * Commands Sluice refuses: replication and server-internal commands make no sense through a
 * proxy, and shutting a backend down is not a client's business through Sluice.
 */
const REFUSED = new Set<number>([
  Command.Sleep,
  Command.Shutdown,
  Command.Connect,
  Command.Time,
  Command.DelayedInsert,
  Command.BinlogDump,
  Command.TableDump,
  Command.ConnectOut,
  Command.RegisterSlave,
  Command.Daemon,
  Command.BinlogDumpGtid,
]);

/**
 * A KILL among other statements: its id is Sluice's, which the server would read as one of its own
 * thread ids, and the statements around it run on a backend connection the target may not be on.
 */
const KILL_AMONG_OTHERS = {
  kind: "client-error",
  errno: 1105,
  sqlState: "HY000",
  message:
    "Sluice cannot run KILL inside a multi-statement (its connection ids are Sluice's, not the server's): send the KILL as a statement of its own",
} as const;

/**
 * One client connection: login, then a loop of commands. Sluice answers COM_PING and COM_QUIT,
 * re-authenticates COM_CHANGE_USER, maps KILL to the backend thread, and forwards everything
 * else to the backend the chooser names. Any failure ends only this session.
 */
export class ClientSession implements KillableSession {
  /** the state the session's parts share (login, forwarding, release timing, admin) */
  private readonly core: SessionCore;
  /** for SHOW SESSIONS: kept as references and counters, nothing is built per statement */
  private readonly connectedAt = Date.now();
  private lastActivity = this.connectedAt;
  private statementsRun = 0;
  private running: Packet | undefined;
  /** the routed view of this session, made once per router rather than once per statement */
  private routed: RoutedSession | undefined;
  /** KILL SESSION arrived while a command ran: end once it returns (see killFromAdmin) */
  private killAfterCommand: KillAfterCommand = "no";
  private markDone: () => void = () => {};
  readonly done = new Promise<void>((resolve) => {
    this.markDone = resolve;
  });

  constructor(
    readonly id: number,
    socket: Socket,
    services: SessionServices,
  ) {
    this.core = new SessionCore(id, socket, services);
  }

  get user(): string | undefined {
    return this.core.user;
  }

  get clientHost(): string {
    return this.core.clientHost;
  }

  get transactionOpen(): boolean {
    return this.core.inTransaction || this.core.busy;
  }

  backendThread(): { server: string; threadId: number } | undefined {
    return this.core.backendThread();
  }

  terminate(reason: string): void {
    const core = this.core;
    core.log.info({ reason }, "session terminated");
    if (!core.busy && !core.ended)
      core.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
    core.end(false);
  }

  async run(): Promise<void> {
    const core = this.core;
    const { counters } = core.services;
    counters.activeSessions++;
    core.services.sessions.set(this.id, this);
    try {
      if (await logIn(core)) await this.loop();
    } catch (e) {
      this.onFailure(e);
    } finally {
      counters.activeSessions--;
      core.services.sessions.delete(this.id);
      core.end(false);
      // a lease taken while the session was being ended (killed during login) goes back too
      core.giveBackLease();
      this.markDone();
    }
  }

  view(): SessionView {
    return sessionView(this.core, {
      connectedAt: this.connectedAt,
      lastActivity: this.lastActivity,
      statements: this.statementsRun,
      running: this.running,
    });
  }

  /** KILL SESSION from the admin interface (see session-admin.ts). */
  killFromAdmin(scope: "connection" | "query"): Promise<string | undefined> {
    return killFromAdmin(this.core, scope, (how) => {
      this.killAfterCommand = how;
    });
  }

  private async loop(): Promise<void> {
    const core = this.core;
    for (;;) {
      const packet = await core.input.next(core.services.clientIdleMs);
      if (packet.seq !== 0) {
        this.protocolError(`command packet with sequence id ${packet.seq} (expected 0)`, packet.lastSeq + 1);
        return;
      }
      core.busy = true;
      this.running = packet;
      this.lastActivity = Date.now();
      const keepGoing = await this.dispatch(packet);
      core.busy = false;
      this.running = undefined;
      this.lastActivity = Date.now();
      if (this.killAfterCommand !== "no") {
        // the killed statement's answer was the server's error; otherwise say it now
        if (this.killAfterCommand === "tell-client")
          core.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
        return;
      }
      if (!keepGoing || core.ended) return;
    }
  }

  private async dispatch(packet: Packet): Promise<boolean> {
    const core = this.core;
    core.release.cancel();
    // a release under way reads results off the connection first: the command waits for it
    const releasing = core.release.settled();
    if (releasing !== undefined) await releasing;
    const command = packet.payload[0];
    const s = core.services;
    s.counters.commands++;
    if (command === undefined) {
      this.protocolError("empty command packet", 1);
      return false;
    }
    switch (command) {
      case Command.Quit:
        return false;
      case Command.Ping:
        s.counters.answeredLocally++;
        core.write(encodePacket(1, encodeOk({ status: core.status() })).bytes);
        return true;
      case Command.ChangeUser:
        // the new user's session starts as a new connection's does
        core.noteStatus(ServerStatus.Autocommit);
        return switchUser(core, packet);
      case Command.ProcessKill:
        if (packet.payload.length < 5) {
          this.protocolError("COM_PROCESS_KILL without an id", 1);
          return false;
        }
        return this.kill({
          kind: "kill",
          scope: "connection",
          hardness: "",
          id: packet.payload.readUInt32LE(1),
        });
      case Command.Query: {
        this.statementsRun++;
        const payload = packet.payload;
        const kill = mayBeKill(payload) ? parseKill(payload.toString("utf8", 1)) : undefined;
        if (kill !== undefined) return this.kill(kill);
        if (mayHoldKillAmongOthers(payload) && killInMultiStatement(payload.toString("utf8", 1))) {
          s.counters.answeredLocally++;
          core.write(encodePacket(1, encodeErr(KILL_AMONG_OTHERS)).bytes);
          return true;
        }
        const idColumn = mayAskConnectionId(payload)
          ? connectionIdQuestion(payload.toString("utf8", 1))
          : undefined;
        if (idColumn !== undefined) {
          // the id the handshake gave: the backend's own would change from statement to statement
          s.counters.answeredLocally++;
          const result = encodeUnsignedIntResult(idColumn, this.id, {
            capabilities: core.capabilities,
            status: core.status(),
          });
          core.write(encodePackets(1, result).bytes);
          return true;
        }
        return this.forward(packet);
      }
      default:
        if (command === Command.StmtExecute) this.statementsRun++;
        if (REFUSED.has(command)) {
          s.counters.answeredLocally++;
          core.write(encodePacket(1, encodeErr(MysqlErrors.unknownCommand(command))).bytes);
          return true;
        }
        return this.forward(packet);
    }
  }

  /** A COM_QUERY under the policy; returns whether the session goes on. */
  private async routedQuery(packet: Packet, router: SessionRouter): Promise<boolean> {
    const core = this.core;
    if (core.lostTransaction) return this.forward(packet, true);
    core.services.counters.forwarded++;
    const result = await runRoutedQuery(this.routedFor(router), packet);
    if (result.kind === "answered") {
      core.services.counters.answeredLocally++;
      return true;
    }
    if (result.kind === "interrupted") return this.interrupted(result.end, result.server);
    noteOutcome(core, result.outcome);
    // the router follows USE and the server's schema tracker (null: the database was dropped)
    core.database = router.sessionState.schema ?? undefined;
    const goOn = afterForward(core, result.outcome, result.server, Command.Query, packet, true);
    return goOn;
  }

  private async forward(packet: Packet, routedBefore = false): Promise<boolean> {
    const core = this.core;
    const s = core.services;
    const command = packet.payload[0]!;
    const router = core.router;
    if (router !== undefined && command === Command.Query && !routedBefore)
      return this.routedQuery(packet, router);
    if (router !== undefined && core.statements?.handles(command) === true && !core.lostTransaction) {
      s.counters.forwarded++;
      const result = await core.statements.run(packet);
      if (result.kind === "answered") return true;
      if (result.kind === "interrupted") return this.interrupted(result.end, result.server);
      noteOutcome(core, result.outcome);
      const goOn = afterForward(core, result.outcome, result.server, command, packet, true);
      return goOn;
    }
    if (core.lostTransaction) {
      core.write(
        encodePacket(
          packet.lastSeq + 1,
          encodeErr(
            MysqlErrors.backendLost("primary", "the transaction was lost with its backend connection"),
          ),
        ).bytes,
      );
      return false;
    }
    const chosen = s.chooser.choose({
      command,
      packet,
      current: core.leases.current?.key.server,
      inTransaction: core.inTransaction,
    });
    // Under a policy, commands other than COM_QUERY run where the session's connection is (its
    // prepared statements, cursors and state live there), or on the primary when it holds none.
    const server = router !== undefined ? (core.leases.current?.key.server ?? chosen) : chosen;
    if (router !== undefined && command === Command.InitDb) return this.routedInitDb(packet, server, router);
    if (core.leases.current?.key.server !== server) {
      const error = await core.acquire(server);
      if (error !== undefined) {
        core.write(encodePacket(packet.lastSeq + 1, encodeErr(error)).bytes);
        return true;
      }
      router?.connected(server, core.database ?? null);
    }
    const lease = core.leases.current!;
    lease.conn.setIdle(false);
    s.counters.forwarded++;
    const outcome = await forwardCommand(core.socket, core.input, lease.conn, packet, () => {
      s.counters.backpressurePauses++;
    });
    noteOutcome(core, outcome);
    return afterForward(core, outcome, server, command, packet, false);
  }

  /** COM_INIT_DB under the policy: under the time limit of `USE db` (see routed-init-db.ts). */
  private async routedInitDb(packet: Packet, server: string, router: SessionRouter): Promise<boolean> {
    const core = this.core;
    core.services.counters.forwarded++;
    const result = await runRoutedInitDb(this.routedFor(router), packet, server);
    if (result.kind === "answered") return true;
    if (result.kind === "interrupted") return this.interrupted(result.end, result.server);
    noteOutcome(core, result.outcome);
    return afterForward(core, result.outcome, result.server, Command.InitDb, packet, false);
  }

  /** A statement past its time limit; a connection kept holds the session's status flags. */
  private interrupted(end: Interruption, server: string): boolean {
    if (end.kind === "kept") this.core.noteStatus(end.state.status);
    return afterInterrupt(this.core, end, server);
  }

  /** The routed view of this session, made once per router rather than once per statement. */
  private routedFor(router: SessionRouter): RoutedSession {
    if (this.routed?.router !== router) this.routed = routedView(this.core, router);
    return this.routed;
  }

  private async kill(req: Parameters<typeof handleKill>[0]): Promise<boolean> {
    const core = this.core;
    core.services.counters.kills++;
    const response = await handleKill(req, {
      requester: this,
      user: core.user!,
      profile: profileKey(core.profile),
      services: core.services,
    });
    if (response.kind === "self-killed") {
      core.write(encodePacket(1, encodeErr(MysqlErrors.connectionKilled())).bytes);
      return false;
    }
    core.write(
      encodePacket(
        1,
        response.kind === "ok" ? encodeOk({ status: core.status() }) : encodeErr(response.error),
      ).bytes,
    );
    return true;
  }

  private protocolError(reason: string, seq: number): void {
    this.core.services.counters.protocolErrors++;
    this.core.log.warn({ reason }, "client protocol error; closing the session");
    this.core.write(encodePacket(seq, encodeErr(MysqlErrors.malformedPacket(reason))).bytes);
  }

  private onFailure(e: unknown): void {
    const core = this.core;
    const farewell = farewellFor(e, core.user !== undefined);
    if (farewell.kind === "silent") return;
    if (farewell.protocolError) core.services.counters.protocolErrors++;
    core.log[farewell.level]({ reason: farewell.reason }, "session ends");
    core.write(encodePacket(farewell.seq, encodeErr(farewell.error)).bytes);
  }
}

/** The session's status flags follow what the server answered (see SessionCore.noteStatus). */
function noteOutcome(core: SessionCore, outcome: ForwardOutcome): void {
  if (outcome.kind === "complete") core.noteStatus(outcome.state.status);
}
