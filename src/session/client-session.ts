import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { PoolKey } from "../pool/pool.js";
import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr, encodeOk } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { LeaseHolder } from "./backend-lease.js";
import { type CapabilityProfile, profileKey, profileOf } from "./capabilities.js";
import { changeUser } from "./change-user.js";
import { ClientInput } from "./client-input.js";
import { forwardCommand } from "./forwarder.js";
import { authenticateClient } from "./frontend-auth.js";
import { handleKill } from "./kill-handler.js";
import { parseKill } from "./kill-statement.js";
import { farewellFor } from "./session-errors.js";
import type { KillableSession, SessionServices } from "./session-services.js";

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
    }
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
    // Take a backend now: a wrong database or an unreachable server is reported as the login result.
    const error = await this.acquire(
      s.chooser.choose({
        command: Command.Query,
        packet: { seq: 0, lastSeq: 0, payload: Buffer.alloc(0), raw: [] },
        current: undefined,
        inTransaction: false,
      }),
    );
    if (error !== undefined) {
      this.write(encodePacket(outcome.nextSeq, encodeErr(error)).bytes);
      return false;
    }
    this.write(encodePacket(outcome.nextSeq, encodeOk({ status: ServerStatus.Autocommit })).bytes);
    this.maybeRelease(Command.Connect);
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
      const keepGoing = await this.dispatch(packet);
      this.busy = false;
      if (!keepGoing || this.ended) return;
    }
  }

  private async dispatch(packet: Packet): Promise<boolean> {
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
        const kill = packet.payload.length < 256 ? parseKill(packet.payload.toString("utf8", 1)) : undefined;
        if (kill !== undefined) return this.kill(kill);
        return this.forward(packet);
      }
      default:
        if (REFUSED.has(command)) {
          s.counters.answeredLocally++;
          this.write(encodePacket(1, encodeErr(MysqlErrors.unknownCommand(command))).bytes);
          return true;
        }
        return this.forward(packet);
    }
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

  private async forward(packet: Packet): Promise<boolean> {
    const s = this.services;
    const command = packet.payload[0]!;
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
    const server = s.chooser.choose({
      command,
      packet,
      current: this.leases.current?.key.server,
      inTransaction: this.inTransaction,
    });
    if (this.leases.current?.key.server !== server) {
      const error = await this.acquire(server);
      if (error !== undefined) {
        this.write(encodePacket(packet.lastSeq + 1, encodeErr(error)).bytes);
        return true;
      }
    }
    const lease = this.leases.current!;
    lease.conn.setIdle(false);
    s.counters.forwarded++;
    const outcome = await forwardCommand(this.socket, this.input, lease.conn, packet, () => {
      s.counters.backpressurePauses++;
    });
    switch (outcome.kind) {
      case "complete": {
        const st = outcome.state;
        if (st.status !== undefined) this.inTransaction = (st.status & ServerStatus.InTrans) !== 0;
        if (command === Command.InitDb && st.error === undefined)
          this.database = packet.payload.toString("utf8", 1);
        if (command === Command.SetOption) lease.dirty = true;
        lease.conn.setIdle(true);
        this.maybeRelease(command, st.status);
        return true;
      }
      case "client-lost":
        this.leases.drop();
        return false;
      case "backend-lost":
      case "protocol-error": {
        s.counters.backendErrors++;
        this.log.warn(
          { server, outcome: outcome.kind, reason: outcome.reason },
          "backend failed during a command",
        );
        this.leases.drop();
        this.write(
          encodePacket(outcome.lastSeq + 1, encodeErr(MysqlErrors.backendLost(server, outcome.reason))).bytes,
        );
        // Outside a transaction the next command gets a new connection; inside, the work is gone.
        return !this.inTransaction;
      }
    }
  }

  /** Leases a connection to `server` for this session's user and profile; returns an error to send, if any. */
  private async acquire(server: string): Promise<ClientError | undefined> {
    this.leases.release(!this.inTransaction);
    const key: PoolKey = { server, user: this.user!, profile: profileKey(this.profile) };
    const error = await this.leases.acquire(key, this.database);
    if (error !== undefined) this.services.counters.backendErrors++;
    return error;
  }

  /** The server closed the held connection between commands (wait_timeout, KILL, restart). */
  private onLeaseLost(reason: Error): void {
    if (this.busy) return; // the forwarder reports it to the client
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
    const error = await this.acquire(
      this.services.chooser.choose({
        command: Command.ChangeUser,
        packet,
        current: undefined,
        inTransaction: false,
      }),
    );
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
    this.leases.release(!this.inTransaction && !this.busy);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
