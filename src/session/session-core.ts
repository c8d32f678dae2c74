import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { PoolKey } from "../pool/pool-types.js";
import { SESSION_STATUS_FLAGS, ServerStatus } from "../protocol/constants.js";
import type { ClientError } from "../protocol/mysql-errors.js";
import type { SessionRouter } from "../routing/session-router.js";
import { LeaseHolder } from "./backend-lease.js";
import { type CapabilityProfile, profileKey } from "./capabilities.js";
import { ClientInput } from "./client-input.js";
import { LeaseReleaseTiming } from "./lease-release-timing.js";
import type { RoutedStatements } from "./routed-statements.js";
import type { SessionServices } from "./session-services.js";
import { StatementDeadline } from "./statement-deadline.js";

/**
 * What the parts of one client session share (login, the command loop, forwarding, the admin
 * interface): who is logged in and how, the transaction and database as the servers report them,
 * the held backend connection and when it goes back, and the few steps all of them take (answer
 * the client, lease a connection, end the session).
 */
export class SessionCore {
  user: string | undefined;
  stage1: Buffer = Buffer.alloc(0);
  seed: Buffer = Buffer.alloc(0);
  capabilities = 0;
  profile: CapabilityProfile = { capabilities: 0, collation: 45 };
  database: string | undefined;
  /**
   * The status flags that describe the session (SESSION_STATUS_FLAGS: transaction, autocommit,
   * read-only transaction, sql_mode's NO_BACKSLASH_ESCAPES / ANSI_QUOTES) as the server reported
   * them last for this session: what Sluice's own answers (COM_PING, KILL) carry, as the server's
   * would. A new session starts as the server's does.
   */
  private sessionStatus: number = ServerStatus.Autocommit;
  /** the backend died while a transaction was open: the next command fails and the session ends */
  lostTransaction = false;
  busy = false;
  ended = false;
  /** the policy's routing for this session; undefined when the proxy runs without a policy */
  router: SessionRouter | undefined;
  /** binary-protocol prepared statements under the policy */
  statements: RoutedStatements | undefined;
  socket: Socket;
  readonly input: ClientInput;
  readonly log: Logger;
  readonly leases: LeaseHolder;
  readonly release: LeaseReleaseTiming;
  /** the time limit of the routed statement running now (one timer, re-armed per statement) */
  readonly deadline = new StatementDeadline();

  constructor(
    readonly id: number,
    socket: Socket,
    readonly services: SessionServices,
  ) {
    this.socket = socket;
    this.input = new ClientInput(socket, services.maxPacketSize);
    this.log = services.logger.child({ session: id, client: socket.remoteAddress });
    this.leases = new LeaseHolder(
      services.pool,
      this.log,
      (reason) => this.onLeaseLost(reason),
      services.counters,
    );
    this.release = new LeaseReleaseTiming(this);
  }

  get clientHost(): string {
    const a = this.socket.remoteAddress ?? "unknown";
    return a.startsWith("::ffff:") ? a.slice(7) : a;
  }

  backendThread(): { server: string; threadId: number } | undefined {
    const lease = this.leases.current;
    return lease === undefined ? undefined : { server: lease.key.server, threadId: lease.conn.threadId };
  }

  get inTransaction(): boolean {
    return (this.sessionStatus & ServerStatus.InTrans) !== 0;
  }

  set inTransaction(open: boolean) {
    this.sessionStatus = open
      ? this.sessionStatus | ServerStatus.InTrans
      : this.sessionStatus & ~(ServerStatus.InTrans | ServerStatus.InTransReadonly);
  }

  /** The status flags of a response the server sent for this session (undefined: an ERR, no flags). */
  noteStatus(status: number | undefined): void {
    if (status !== undefined) this.sessionStatus = status & SESSION_STATUS_FLAGS;
  }

  /** The session's status flags as a server would put them in an OK that runs no statement. */
  status(): number {
    return this.sessionStatus;
  }

  sessionStart() {
    return { user: this.user ?? "", clientAddress: this.clientHost, schema: this.database ?? null };
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Leases a connection to `server` for this session's user and profile; returns an error to send, if any. */
  async acquire(
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

  end(_graceful: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.release.cancel();
    this.deadline.dispose();
    this.giveBackLease();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /**
   * Gives the held connection back (closed when a transaction or a command is open on it). A
   * release under way may still be reading results off it (see LeaseReleaseTiming): the pool gets
   * it only once that read is over, or the reset would run into the read's answers and leave the
   * connection out of step with its server for the next session.
   */
  giveBackLease(): void {
    const giveBack = () => this.leases.release(!this.inTransaction && !this.busy);
    const reading = this.release.settled();
    if (reading === undefined) giveBack();
    else void reading.then(giveBack, giveBack);
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
}
