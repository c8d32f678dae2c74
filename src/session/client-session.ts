import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { PoolKey } from "../pool/pool.js";
import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr, encodeOk } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { SessionRouter } from "../routing/session-router.js";
import { pinReasons } from "../routing/session-state.js";
import { giveBack, LeaseHolder } from "./backend-lease.js";
import { type CapabilityProfile, profileKey, profileOf } from "./capabilities.js";
import { changeUser } from "./change-user.js";
import { ClientInput } from "./client-input.js";
import { forwardCommand } from "./forwarder.js";
import { authenticateClient } from "./frontend-auth.js";
import { handleKill, killOnBackend } from "./kill-handler.js";
import { parseKill } from "./kill-statement.js";
import { QuietHold } from "./quiet-hold.js";
import { type RoutedSession, runRoutedQuery } from "./routed-query.js";
import { RoutedStatements } from "./routed-statements.js";
import { farewellFor } from "./session-errors.js";
import type { KillableSession, SessionServices } from "./session-services.js";
import { describeCommand, type SessionView, sessionActivity } from "./session-view.js";
import { StatementDeadline } from "./statement-deadline.js";
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
 * One client connection: login, then a loop of commands. Sluice answers COM_PING and COM_QUIT,
 * re-authenticates COM_CHANGE_USER, maps KILL to the backend thread, and forwards everything
 * else to the backend the chooser names. Any failure ends only this session.
 */
export class ClientSession implements KillableSession {
  user: string | undefined;
  private stage1: Buffer = Buffer.alloc(0);
  private seed: Buffer = Buffer.alloc(0);
  private capabilities = 0;
  private profile: CapabilityProfile = { capabilities: 0, collation: 45 };
  private database: string | undefined;
  private inTransaction = false;
  private readonly leases: LeaseHolder;
  /** the backend died while a transaction was open: the next command fails and the session ends */
  private lostTransaction = false;
  private busy = false;
  private ended = false;
  private readonly input: ClientInput;
  private readonly log: Logger;
  /** the policy's routing for this session; undefined when the proxy runs without a policy */
  private router: SessionRouter | undefined;
  /** binary-protocol prepared statements under the policy */
  private statements: RoutedStatements | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private readonly hold = new QuietHold();
  /** the time limit of the routed statement running now (one timer, re-armed per statement) */
  private readonly deadline = new StatementDeadline();
  /** for SHOW SESSIONS: kept as references and counters, nothing is built per statement */
  private readonly connectedAt = Date.now();
  private lastActivity = this.connectedAt;
  private statementsRun = 0;
  private running: Packet | undefined;
  /** KILL SESSION arrived while a command ran: end once it returns (see killFromAdmin) */
  private killAfterCommand: "no" | "tell-client" | "answered" = "no";
  private markDone: () => void = () => {};
  readonly done = new Promise<void>((resolve) => {
    this.markDone = resolve;
  });

  constructor(
    readonly id: number,
    private socket: Socket,
    private readonly services: SessionServices,
  ) {
    this.input = new ClientInput(socket, services.maxPacketSize);
    this.log = services.logger.child({ session: id, client: socket.remoteAddress });
    this.leases = new LeaseHolder(services.pool, this.log, (reason) => this.onLeaseLost(reason));
  }

  get clientHost(): string {
    const a = this.socket.remoteAddress ?? "unknown";
    return a.startsWith("::ffff:") ? a.slice(7) : a;
  }

  get transactionOpen(): boolean {
    return this.inTransaction || this.busy;
  }

  backendThread(): { server: string; threadId: number } | undefined {
    const lease = this.leases.current;
    return lease === undefined ? undefined : { server: lease.key.server, threadId: lease.conn.threadId };
  }

  terminate(reason: string): void {
    this.log.info({ reason }, "session terminated");
    if (!this.busy && !this.ended)
      this.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
    this.end(false);
  }

  async run(): Promise<void> {
    const { counters } = this.services;
    counters.activeSessions++;
    this.services.sessions.set(this.id, this);
    try {
      if (await this.login()) await this.loop();
    } catch (e) {
      this.onFailure(e);
    } finally {
      counters.activeSessions--;
      this.services.sessions.delete(this.id);
      this.end(false);
      // a lease taken while the session was being ended (killed during login) goes back too
      this.leases.release(!this.inTransaction && !this.busy);
      this.markDone();
    }
  }

  view(): SessionView {
    const lease = this.leases.current;
    const running = this.busy ? this.running : undefined;
    return {
      id: this.id,
      user: this.user ?? "",
      client: `${this.clientHost}:${this.socket.remotePort ?? 0}`,
      schema: this.database ?? null,
      state: sessionActivity({
        loggedIn: this.user !== undefined,
        busy: this.busy,
        inTransaction: this.inTransaction,
      }),
      inTransaction: this.inTransaction,
      backend: lease === undefined ? null : { server: lease.key.server, threadId: lease.conn.threadId },
      pins: this.router === undefined ? [] : pinReasons(this.router.sessionState),
      statements: this.statementsRun,
      connectedAt: this.connectedAt,
      lastActivity: this.lastActivity,
      statement: running === undefined ? null : describeCommand(running.payload),
      statementStartedAt: running === undefined ? null : this.lastActivity,
    };
  }

  /**
   * KILL SESSION from the admin interface. An idle session gets error 1927 (what MariaDB answers
   * for a killed connection) and is closed; its backend connection goes back to the pool through
   * COM_RESET_CONNECTION, which rolls an open transaction back and releases its locks at once. A
   * running statement is killed on its server instead (which rolls back there and answers the
   * statement with 1927), and the session ends when the command returns. "query" interrupts only
   * the running statement, as KILL QUERY does.
   */
  async killFromAdmin(scope: "connection" | "query"): Promise<string | undefined> {
    if (this.ended) return undefined;
    const held = this.backendThread();
    if (scope === "connection") {
      this.log.info({ reason: "KILL SESSION (admin)" }, "session terminated");
      if (!this.busy) {
        const lease = this.leases.take();
        this.router?.disconnected();
        this.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
        this.end(false);
        if (lease !== undefined) await giveBack(this.services.pool, lease, this.inTransaction);
        return undefined;
      }
      this.killAfterCommand = held === undefined ? "tell-client" : "answered";
    } else if (!this.busy || held === undefined) {
      return undefined; // nothing runs on a server: nothing to interrupt
    }
    if (held === undefined) return undefined;
    // if the statement ends and the session lets the connection go meanwhile, it must not reach
    // another session before the KILL does
    const unmark = this.leases.markKillTarget();
    const error = await killOnBackend(
      this.services,
      { server: held.server, user: this.user ?? "", profile: profileKey(this.profile) },
      `KILL ${scope === "query" ? "QUERY" : "CONNECTION"} ${held.threadId}`,
      { threadId: held.threadId, shownAs: this.id },
    );
    unmark();
    if (error !== undefined && scope === "connection") this.killAfterCommand = "tell-client";
    return error?.message;
  }

  private async login(): Promise<boolean> {
    const s = this.services;
    const outcome = await authenticateClient(this.socket, this.input, {
      connectionId: this.id,
      serverVersion: s.serverVersion(),
      capabilityMask: s.capabilityMask,
      credentials: s.credentials,
      tls: s.tls,
      timeoutMs: s.handshakeMs,
      clientHost: this.clientHost,
    });
    this.socket = this.input.currentSocket;
    if (outcome.kind === "rejected") {
      s.counters.authFailures++;
      this.log.warn({ reason: outcome.reason }, "login rejected");
      this.write(encodePacket(outcome.nextSeq, encodeErr(outcome.error)).bytes);
      return false;
    }
    this.user = outcome.user;
    this.stage1 = outcome.stage1;
    this.seed = outcome.seed;
    this.capabilities = outcome.capabilities;
    this.profile = profileOf(outcome.capabilities, outcome.collation);
    this.database = outcome.database;
    this.log.info(
      { user: outcome.user, tls: outcome.tls, program: outcome.attributes.get("program_name") },
      "login",
    );
    // Take a backend now: a wrong database or an unreachable server is reported as the login
    // result. Nothing reads diagnostics before the session's first statement (see placeOn).
    const error = await this.acquire(
      s.chooser.choose({
        command: Command.Query,
        packet: { seq: 0, lastSeq: 0, payload: Buffer.alloc(0), raw: [] },
        current: undefined,
        inTransaction: false,
      }),
      undefined,
      s.routing === undefined,
    );
    if (error !== undefined) {
      this.write(encodePacket(outcome.nextSeq, encodeErr(error)).bytes);
      return false;
    }
    this.write(encodePacket(outcome.nextSeq, encodeOk({ status: ServerStatus.Autocommit })).bytes);
    if (s.routing !== undefined) {
      this.router = new SessionRouter(s.routing, this.sessionStart());
      this.statements = new RoutedStatements(this.routedView(this.router));
      const held = this.leases.current;
      if (held !== undefined) this.router.connected(held.key.server, this.database ?? null);
      if (this.router.mayRelease()) this.deferRelease();
    } else {
      this.maybeRelease(Command.Connect);
    }
    return true;
  }

  private async loop(): Promise<void> {
    for (;;) {
      const packet = await this.input.next(this.services.clientIdleMs);
      if (packet.seq !== 0) {
        this.protocolError(`command packet with sequence id ${packet.seq} (expected 0)`, packet.lastSeq + 1);
        return;
      }
      this.busy = true;
      this.running = packet;
      this.lastActivity = Date.now();
      const keepGoing = await this.dispatch(packet);
      this.busy = false;
      this.running = undefined;
      this.lastActivity = Date.now();
      if (this.killAfterCommand !== "no") {
        // the killed statement's answer was the server's error; otherwise say it now
        if (this.killAfterCommand === "tell-client")
          this.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
        return;
      }
      if (!keepGoing || this.ended) return;
    }
  }

  private async dispatch(packet: Packet): Promise<boolean> {
    this.cancelDeferredRelease();
    const command = packet.payload[0];
    const s = this.services;
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
        this.write(encodePacket(1, encodeOk({ status: this.status() })).bytes);
        return true;
      case Command.ChangeUser:
        return this.changeUser(packet);
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
        const kill = packet.payload.length < 256 ? parseKill(packet.payload.toString("utf8", 1)) : undefined;
        if (kill !== undefined) return this.kill(kill);
        return this.forward(packet);
      }
      default:
        if (command === Command.StmtExecute) this.statementsRun++;
        if (REFUSED.has(command)) {
          s.counters.answeredLocally++;
          this.write(encodePacket(1, encodeErr(MysqlErrors.unknownCommand(command))).bytes);
          return true;
        }
        return this.forward(packet);
    }
  }

  private sessionStart() {
    return { user: this.user ?? "", clientAddress: this.clientHost, schema: this.database ?? null };
  }

  /**
   * Gives the connection back once the session has been quiet for the environment's
   * `releaseAfterMs`: a client sending statements back to back keeps its connection (no reset and
   * re-select per statement), an idle one frees it for others within milliseconds.
   */
  private deferRelease(): void {
    const after = this.services.routing?.releaseAfterMs ?? 0;
    this.cancelDeferredRelease();
    if (after <= 0) {
      this.releaseLease();
      return;
    }
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      if (!this.busy && !this.ended && this.router?.mayRelease() !== false) this.releaseLease();
    }, after);
    this.releaseTimer.unref();
  }

  /**
   * After a statement that left a hold (see SessionRouter.mayReleaseWhenQuiet): let go when quiet
   * (QuietHold: 1 s, or 50 ms when other sessions wait for a connection to the server).
   */
  private releaseWhenQuiet(): void {
    const router = this.router;
    const lease = this.leases.current;
    if (router === undefined || lease === undefined || this.releaseTimer !== undefined || this.hold.active)
      return;
    if (router.mayRelease() || !router.mayReleaseWhenQuiet()) return;
    const letGo = () => {
      if (this.busy || this.ended || this.router?.mayReleaseWhenQuiet() !== true) return;
      // what the hold kept (LAST_INSERT_ID(), ROW_COUNT()…) is gone: the router says so if asked
      this.router.holdLost();
      this.releaseLease();
    };
    this.hold.start(this.services.pool, lease.key.server, letGo, letGo);
  }

  private cancelDeferredRelease(): void {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.hold.cancel();
  }

  private releaseLease(): void {
    this.leases.release(!this.inTransaction);
    this.router?.disconnected();
  }

  /** The view of this session a routed query works through. */
  private routedView(router: SessionRouter): RoutedSession {
    const operations = this.services.routing!.operations;
    return {
      id: this.id,
      socket: this.socket,
      input: this.input,
      capabilities: this.capabilities,
      router,
      held: () => {
        const lease = this.leases.current;
        return lease === undefined ? undefined : { server: lease.key.server, conn: lease.conn };
      },
      switchTo: async (server, ownDiagnostics) => {
        const error = await this.acquire(server, this.deadline, ownDiagnostics);
        if (error === undefined) router.connected(server, this.database ?? null);
        else router.disconnected();
        // The session's database may exist on the server it came from and not on this one (the
        // seeds' case): say which database and which server.
        if (error?.errno === 1049 && this.database !== undefined) {
          return {
            ...error,
            message: `can't change the database to '${this.database}' on server '${server}': ${error.message}`,
          };
        }
        return error;
      },
      release: () => this.deferRelease(),
      leaseToken: () => this.leases.current,
      dropHeld: () => {
        this.services.counters.backendErrors++;
        this.leases.drop();
        router.disconnected();
      },
      beginOperation: (server) => {
        const token = operations.begin(server);
        return () => token.end();
      },
      write: (bytes) => this.write(bytes),
      deadline: this.deadline,
      killQuery: (server, threadId) =>
        killOnBackend(
          this.services,
          { server, user: this.user ?? "", profile: profileKey(this.profile) },
          `KILL QUERY ${threadId}`,
          { threadId, shownAs: this.id },
        ),
    };
  }

  /** A routed statement ran out of time; the client has error 1969 (see statement-timeout.ts). */
  private afterInterrupt(end: Interruption, server: string): boolean {
    if (end.kind === "kept") {
      const status = end.state.status;
      if (status !== undefined) this.inTransaction = (status & ServerStatus.InTrans) !== 0;
    } else {
      this.log.warn(
        { server, reason: end.reason, inTransaction: this.inTransaction },
        "dropped the backend connection of a statement past its time limit",
      );
      // as when a held connection dies: an open transaction is gone, the next command says so
      if (this.inTransaction) this.lostTransaction = true;
    }
    this.releaseWhenQuiet();
    return end.clientUsable;
  }

  /** A COM_QUERY under the policy; returns whether the session goes on. */
  private async routedQuery(packet: Packet, router: SessionRouter): Promise<boolean> {
    if (this.lostTransaction) return this.forward(packet, true);
    this.services.counters.forwarded++;
    const result = await runRoutedQuery(this.routedView(router), packet);
    if (result.kind === "answered") {
      this.services.counters.answeredLocally++;
      return true;
    }
    if (result.kind === "interrupted") return this.afterInterrupt(result.end, result.server);
    // the router follows USE and the server's schema tracker (null: the database was dropped)
    this.database = router.sessionState.schema ?? undefined;
    const goOn = this.afterForward(result.outcome, result.server, Command.Query, packet, true);
    this.releaseWhenQuiet();
    return goOn;
  }

  /** Gives the connection back to the pool when the chooser says so and no transaction is open. */
  private maybeRelease(command: number, status?: number): void {
    const decision = this.services.chooser.afterResponse({
      command,
      status,
      inTransaction: this.inTransaction,
    });
    if (decision === "release" && !this.inTransaction) this.leases.release(true);
  }

  private status(): number {
    return ServerStatus.Autocommit | (this.inTransaction ? ServerStatus.InTrans : 0);
  }

  private async forward(packet: Packet, routedBefore = false): Promise<boolean> {
    const s = this.services;
    const command = packet.payload[0]!;
    const router = this.router;
    if (router !== undefined && command === Command.Query && !routedBefore)
      return this.routedQuery(packet, router);
    if (router !== undefined && this.statements?.handles(command) === true && !this.lostTransaction) {
      s.counters.forwarded++;
      const result = await this.statements.run(packet);
      if (result.kind === "answered") return true;
      if (result.kind === "interrupted") return this.afterInterrupt(result.end, result.server);
      const goOn = this.afterForward(result.outcome, result.server, command, packet, true);
      this.releaseWhenQuiet();
      return goOn;
    }
    if (this.lostTransaction) {
      this.write(
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
      current: this.leases.current?.key.server,
      inTransaction: this.inTransaction,
    });
    // Under a policy, commands other than COM_QUERY run where the session's connection is (its
    // prepared statements, cursors and state live there), or on the primary when it holds none.
    const server = router !== undefined ? (this.leases.current?.key.server ?? chosen) : chosen;
    if (this.leases.current?.key.server !== server) {
      const error = await this.acquire(server);
      if (error !== undefined) {
        this.write(encodePacket(packet.lastSeq + 1, encodeErr(error)).bytes);
        return true;
      }
      router?.connected(server, this.database ?? null);
    }
    const lease = this.leases.current!;
    lease.conn.setIdle(false);
    s.counters.forwarded++;
    const outcome = await forwardCommand(this.socket, this.input, lease.conn, packet, () => {
      s.counters.backpressurePauses++;
    });
    return this.afterForward(outcome, server, command, packet, false);
  }

  private afterForward(
    outcome: Awaited<ReturnType<typeof forwardCommand>>,
    server: string,
    command: number,
    packet: Packet,
    routed: boolean,
  ): boolean {
    const s = this.services;
    const router = this.router;
    const lease = this.leases.current;
    switch (outcome.kind) {
      case "complete": {
        const st = outcome.state;
        if (st.status !== undefined) this.inTransaction = (st.status & ServerStatus.InTrans) !== 0;
        if (command === Command.InitDb && st.error === undefined) {
          this.database = packet.payload.toString("utf8", 1);
          router?.schemaChanged(this.database);
        }
        if (
          (command === Command.ResetConnection || command === Command.ChangeUser) &&
          st.error === undefined
        ) {
          router?.reset(this.sessionStart());
        }
        if (command === Command.SetOption && lease !== undefined) lease.dirty = true;
        if (routed) return true; // the routed path decided about the connection already
        lease?.conn.setIdle(true);
        if (router !== undefined) {
          if (router.mayRelease()) this.deferRelease();
        } else {
          this.maybeRelease(command, st.status);
        }
        return true;
      }
      case "client-lost":
        this.leases.drop();
        return false;
      case "timed-out":
        // only routed statements carry a deadline, and they settle it (statement-timeout.ts)
        this.leases.drop();
        router?.disconnected();
        return false;
      case "backend-lost":
      case "protocol-error": {
        s.counters.backendErrors++;
        this.log.warn(
          { server, outcome: outcome.kind, reason: outcome.reason },
          "backend failed during a command",
        );
        this.leases.drop();
        router?.disconnected();
        this.write(
          encodePacket(outcome.lastSeq + 1, encodeErr(MysqlErrors.backendLost(server, outcome.reason))).bytes,
        );
        // Outside a transaction the next command gets a new connection; inside, the work is gone.
        return !this.inTransaction;
      }
    }
  }

  /** Leases a connection to `server` for this session's user and profile; returns an error to send, if any. */
  private async acquire(
    server: string,
    deadline?: StatementDeadline,
    ownDiagnostics = true,
  ): Promise<ClientError | undefined> {
    this.leases.release(!this.inTransaction);
    const key: PoolKey = { server, user: this.user!, profile: profileKey(this.profile) };
    const error = await this.leases.acquire(key, this.database, deadline, ownDiagnostics);
    if (error !== undefined) this.services.counters.backendErrors++;
    // OK packets are shown to this client in the format it negotiated (see forwarder.ts)
    const lease = this.leases.current;
    if (lease !== undefined) lease.conn.clientCapabilities = this.capabilities;
    return error;
  }

  /** The server closed the held connection between commands (wait_timeout, KILL, restart). */
  private onLeaseLost(reason: Error): void {
    if (this.busy) return; // the forwarder reports it to the client
    this.router?.disconnected();
    this.log.info(
      { reason: reason.message, inTransaction: this.inTransaction },
      "held backend connection closed",
    );
    if (this.inTransaction) this.lostTransaction = true;
  }

  private async changeUser(packet: Packet): Promise<boolean> {
    const result = await changeUser(packet, {
      input: this.input,
      socket: this.socket,
      seed: this.seed,
      capabilities: this.capabilities,
      credentials: this.services.credentials,
      clientHost: this.clientHost,
    });
    if (result.kind === "rejected") {
      this.services.counters.authFailures++;
      this.write(encodePacket(result.nextSeq, encodeErr(result.error)).bytes);
      return false;
    }
    this.leases.release(!this.inTransaction);
    this.user = result.user;
    this.stage1 = result.stage1;
    this.profile = profileOf(this.capabilities, result.collation ?? this.profile.collation);
    this.database = result.database;
    this.inTransaction = false;
    this.lostTransaction = false;
    this.router?.disconnected();
    const target = this.services.chooser.choose({
      command: Command.ChangeUser,
      packet,
      current: undefined,
      inTransaction: false,
    });
    const error = await this.acquire(target);
    if (error === undefined && this.router !== undefined) {
      this.router.reset(this.sessionStart());
      this.router.connected(target, this.database ?? null);
    }
    this.write(
      encodePacket(
        result.nextSeq,
        error === undefined ? encodeOk({ status: this.status() }) : encodeErr(error),
      ).bytes,
    );
    if (error === undefined) this.maybeRelease(Command.ChangeUser);
    return error === undefined;
  }

  private async kill(req: Parameters<typeof handleKill>[0]): Promise<boolean> {
    this.services.counters.kills++;
    const response = await handleKill(req, {
      requester: this,
      user: this.user!,
      profile: profileKey(this.profile),
      services: this.services,
    });
    if (response.kind === "self-killed") {
      this.write(encodePacket(1, encodeErr(MysqlErrors.connectionKilled())).bytes);
      return false;
    }
    this.write(
      encodePacket(
        1,
        response.kind === "ok" ? encodeOk({ status: this.status() }) : encodeErr(response.error),
      ).bytes,
    );
    return true;
  }

  private protocolError(reason: string, seq: number): void {
    this.services.counters.protocolErrors++;
    this.log.warn({ reason }, "client protocol error; closing the session");
    this.write(encodePacket(seq, encodeErr(MysqlErrors.malformedPacket(reason))).bytes);
  }

  private onFailure(e: unknown): void {
    const farewell = farewellFor(e, this.user !== undefined);
    if (farewell.kind === "silent") return;
    if (farewell.protocolError) this.services.counters.protocolErrors++;
    this.log[farewell.level]({ reason: farewell.reason }, "session ends");
    this.write(encodePacket(farewell.seq, encodeErr(farewell.error)).bytes);
  }

  private write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private end(_graceful: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelDeferredRelease();
    this.deadline.dispose();
    this.leases.release(!this.inTransaction && !this.busy);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
