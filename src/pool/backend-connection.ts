import { isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Logger } from "pino";
import { Capability, Command, NATIVE_PASSWORD_PLUGIN, ResponseHeader } from "../protocol/constants.js";
import type { Frame } from "../protocol/framer.js";
import { Framer } from "../protocol/framer.js";
import { decodeErr } from "../protocol/generic-response.js";
import {
  decodeAuthSwitchRequest,
  decodeHandshakeV10,
  encodeHandshakeResponse,
  encodeSslRequest,
  type HandshakeV10,
} from "../protocol/handshake.js";
import { scrambleFromStage1 } from "../protocol/native-password.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { isFinished, startTracking, type TrackerState, trackFrame } from "../protocol/response-tracker.js";
import type { TrackerAdditions } from "../protocol/session-track.js";
import { queryRows } from "../session/control-query.js";
import { BackendError, type BackendTarget, type ChunkRoute, connectSocket } from "./backend-socket.js";
import {
  additionsBeyond,
  afterResetStatement,
  parseTrackerGlobals,
  queryPayload,
  TRACKER_GLOBALS_SQL,
  TrackedSession,
  trackingStatement,
} from "./session-tracking.js";

export interface BackendLogin {
  readonly user: string;
  /** SHA1(password); empty for a user without password */
  readonly stage1: Buffer;
  /** capability flags to request (the client's negotiated profile); intersected with the server's */
  readonly capabilities: number;
  readonly collation: number;
  readonly maxPacketSize: number;
  /** turn Sluice's session trackers on after login (default true; see session-tracking.ts) */
  readonly sessionTracking?: boolean;
}

/**
 * Capabilities Sluice always asks of a backend, whatever the client negotiated. SESSION_TRACK is
 * among them: the server's OK packets then say what a statement changed (last_gtid, database,
 * variables, transaction state); the forwarder strips that part for clients without it.
 */
const ALWAYS =
  Capability.SessionTrack |
  Capability.LongPassword |
  Capability.LongFlag |
  Capability.Protocol41 |
  Capability.Transactions |
  Capability.SecureConnection |
  Capability.PluginAuth |
  Capability.PluginAuthLenencClientData |
  Capability.ConnectAttrs;

/**
 * Where a command's response goes while it runs: handed the framer after each received chunk, it
 * takes the complete frames it wants (scanning rows in place, see src/protocol/row-scan.ts).
 */
export type FrameSink = (source: Framer) => void;

/**
 * One authenticated connection to a backend server. Frames from the server go to the current
 * sink (the forwarder while a command runs) or to a queue read by `nextFrame()` (handshake and
 * Sluice's own commands). Data arriving with neither is a protocol error and kills the connection,
 * which is also how an idle pooled connection notices a server-side timeout or KILL.
 */
export class BackendConnection {
  readonly framer = new Framer();
  handshake: HandshakeV10 | undefined;
  /** capability flags in force on this connection */
  capabilities = 0;
  lastUsed = Date.now();
  closed = false;
  /** what the server's session trackers told about this connection's session */
  readonly session = new TrackedSession();
  /**
   * Capability flags of the client the connection serves now (set at each lease): the forwarder
   * strips the session-state part of OK packets when that client did not negotiate SESSION_TRACK.
   */
  clientCapabilities = 0xffffffff;
  /**
   * What Sluice's trackers report beyond the server's defaults (null: nothing): while they are in
   * force (`session.active`), the forwarder removes it from OK packets for clients with SESSION_TRACK.
   */
  trackerAdditions: TrackerAdditions | null = null;
  private sink: FrameSink | undefined;
  private queue: Frame[] = [];
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | undefined;
  private closeListeners: ((reason: Error) => void)[] = [];

  private constructor(
    public socket: Socket,
    readonly target: BackendTarget,
    readonly log: Logger,
    /** set when the socket reads into one reused buffer (see connectSocket) instead of 'data' */
    private readonly reads?: ChunkRoute,
  ) {
    this.listen(socket);
  }

  get threadId(): number {
    return this.handshake?.connectionId ?? 0;
  }

  /**
   * The session on this connection changed since it was opened or last reset (so since the
   * current lease began, leases starting on clean connections), in a way COM_RESET_CONNECTION
   * would undo: user or system variables, temporary tables, prepared statements, LOCK TABLES, a
   * connection option, or a change no tracker describes. Not counted: the default database (see
   * `session.schema`; a reset keeps it anyway) and last_gtid. From the server's
   * SERVER_SESSION_STATE_CHANGED / state_change tracker, plus what the classifier saw
   * (`session.markChanged`). Always true while Sluice's trackers are not in force.
   */
  get sessionStateChanged(): boolean {
    return this.session.changedSinceClean;
  }

  static async open(
    target: BackendTarget,
    login: BackendLogin,
    timeoutMs: number,
    log: Logger,
  ): Promise<BackendConnection> {
    const reads: ChunkRoute = { to: undefined, early: [] };
    const socket = await connectSocket(target, timeoutMs, reads);
    const conn = new BackendConnection(socket, target, log, reads);
    const timer = setTimeout(
      () =>
        conn.destroy(new BackendError("TIMEOUT", `login to ${target.name} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await conn.login(login);
      if (login.sessionTracking !== false) await conn.enableSessionTracking();
      return conn;
    } catch (e) {
      conn.destroy(e instanceof Error ? e : new Error(String(e)));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private listen(socket: Socket): void {
    socket.setNoDelay(true);
    if (this.reads !== undefined && socket === this.reads.socket) {
      this.reads.to = (chunk) => this.onData(chunk);
      for (const early of this.reads.early.splice(0)) this.onData(early);
    } else socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.destroy(new BackendError("CLOSED", `${this.target.name}: ${e.message}`)));
    socket.on("close", () =>
      this.destroy(new BackendError("CLOSED", `${this.target.name} closed the connection`)),
    );
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk);
    if (this.sink !== undefined) {
      this.toSink(this.sink, this.framer);
      return;
    }
    const frames = this.framer.drain();
    if (frames.length === 0) return;
    if (this.idle) {
      // A pooled connection has no command in flight: the server is telling us it is going away
      // (wait_timeout, KILL, shutdown), so the connection must never be handed out.
      const first = frames[0]!;
      const detail =
        first.payload[0] === ResponseHeader.Err ? decodeErr(first.payload).message : "unexpected data";
      this.destroy(
        new BackendError("PROTOCOL", `${this.target.name} sent data to an idle connection: ${detail}`),
      );
      return;
    }
    this.queue.push(...frames);
    this.flushWaiter();
  }

  /** An answer is awaited or being forwarded, or frames wait unread (see Poolable.reading). */
  get reading(): boolean {
    return this.waiter !== undefined || this.sink !== undefined || this.queue.length > 0;
  }

  /** true while pooled: any data from the server then means the connection is unusable */
  private idle = false;

  setIdle(idle: boolean): void {
    this.idle = idle;
  }

  async ping(): Promise<boolean> {
    const state = await this.command(Buffer.from([0x0e]));
    return state.error === undefined;
  }

  async reset(): Promise<boolean> {
    const reset = Buffer.from([Command.ResetConnection]);
    if (this.afterReset === null) {
      const state = await this.command(reset);
      if (state.error === undefined) this.session.clean(this.session.available);
      return state.error === undefined;
    }
    // The reset puts the trackers (and sql_mode) back to the server's globals: the SET that
    // restores them goes right behind it in the same write, both answers in one round trip.
    this.write(Buffer.concat([encodePacket(0, reset).bytes, encodePacket(0, this.afterReset).bytes]));
    const done = await this.response(Command.ResetConnection);
    const restored = await this.response(Command.Query);
    if (done.error !== undefined) return false;
    this.session.clean(this.session.available && restored.error === undefined);
    return true;
  }

  /** Runs right behind each COM_RESET_CONNECTION (see afterResetStatement); null: nothing does. */
  private afterReset: Buffer | null = null;

  /** Turns Sluice's session trackers on, once after login; a server that refuses goes without. */
  private async enableSessionTracking(): Promise<void> {
    const tracking = await this.turnTrackersOn();
    this.session.available = tracking !== undefined;
    this.session.clean(this.session.available);
    const after = afterResetStatement(tracking ?? null, this.capabilities);
    this.afterReset = after === null ? null : queryPayload(after);
  }

  /**
   * Reads the server's tracker globals and sets what Sluice needs beyond them. Returns that SET
   * (null: the globals have everything), or undefined when the server refuses (no
   * SESSION_TRACK, no such variables, e.g. MySQL has no last_gtid).
   */
  private async turnTrackersOn(): Promise<string | null | undefined> {
    if ((this.capabilities & Capability.SessionTrack) === 0) return undefined;
    const read = await queryRows(this, TRACKER_GLOBALS_SQL);
    const globals = read.kind === "rows" ? parseTrackerGlobals(read.rows) : null;
    const sql = globals === null ? null : trackingStatement(globals);
    this.trackerAdditions = globals === null ? null : additionsBeyond(globals);
    const set = sql === null ? undefined : await this.command(queryPayload(sql));
    const refusal = read.kind === "error" ? read.error : set?.error;
    if (globals === null || refusal !== undefined) {
      this.log.warn(
        { server: this.target.name, err: refusal?.message ?? "unreadable tracker settings" },
        "no session tracking on this server; causal reads ask for @@last_gtid after writes",
      );
      this.trackerAdditions = null;
      return undefined;
    }
    return sql;
  }

  private flushWaiter(): void {
    if (this.waiter === undefined) return;
    const f = this.queue.shift();
    if (f === undefined) return;
    const w = this.waiter;
    this.waiter = undefined;
    w.resolve(f);
  }

  nextFrame(): Promise<Frame> {
    if (this.closed)
      return Promise.reject(new BackendError("CLOSED", `${this.target.name} connection is closed`));
    const f = this.queue.shift();
    if (f !== undefined) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Route every following frame to `sink` (undefined: back to the queue). */
  setSink(sink: FrameSink | undefined): void {
    this.sink = sink;
    if (sink !== undefined && this.queue.length > 0) {
      // frames that arrived while no sink was set (rare: between LOCAL INFILE rounds)
      const pending = new Framer();
      pending.push(Buffer.concat(this.queue.map((f) => f.raw)));
      this.queue = [];
      this.toSink(sink, pending);
    }
  }

  private toSink(sink: FrameSink, source: Framer): void {
    try {
      sink(source);
    } catch (e) {
      this.destroy(new BackendError("PROTOCOL", `${this.target.name}: ${(e as Error).message}`));
    }
  }

  onClose(listener: (reason: Error) => void): () => void {
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  destroy(reason: Error = new BackendError("CLOSED", "closed by Sluice")): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.waiter?.reject(reason);
    this.waiter = undefined;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l(reason);
  }

  /** Sends one of Sluice's own commands and waits for the end of its response. */
  async command(payload: Buffer): Promise<TrackerState> {
    this.write(encodePacket(0, payload).bytes);
    return this.response(payload[0] ?? 0);
  }

  /** Reads the response to a command already sent (commands may be pipelined). */
  private async response(command: number): Promise<TrackerState> {
    let state = startTracking(command, this.capabilities);
    while (!isFinished(state)) state = trackFrame(state, await this.nextFrame());
    if (state.phase.kind === "violation") {
      this.destroy(new BackendError("PROTOCOL", state.phase.reason));
      throw new BackendError("PROTOCOL", `${this.target.name}: ${state.phase.reason}`);
    }
    this.lastUsed = Date.now();
    this.session.observe(command, state);
    return state;
  }

  private async login(login: BackendLogin): Promise<void> {
    const greeting = await this.nextFrame();
    if (greeting.payload[0] === ResponseHeader.Err) {
      const err = decodeErr(greeting.payload);
      throw new BackendError(
        "CONNECT_FAILED",
        `${this.target.name} refused the connection: ${err.message}`,
        err,
      );
    }
    const hs = decodeHandshakeV10(greeting.payload);
    this.handshake = hs;
    const missing = (login.capabilities & ~hs.capabilities) >>> 0;
    if (missing !== 0) {
      // Forwarded bytes would not match what the client expects (e.g. no DEPRECATE_EOF on an old server).
      throw new BackendError(
        "CONNECT_FAILED",
        `${this.target.name} lacks capability flags 0x${missing.toString(16)} that the client negotiated with Sluice`,
      );
    }
    const wantTls = this.target.tls !== undefined && this.target.tls !== false;
    // The requested profile is honoured exactly when the server supports it; ALWAYS adds only
    // flags that do not change how results look to the client, but for SESSION_TRACK, whose part
    // of OK packets the forwarder strips for clients that did not negotiate it.
    const caps =
      ((login.capabilities | ALWAYS) & ~Capability.ConnectWithDb & ~Capability.Ssl & hs.capabilities) >>> 0;
    this.capabilities = caps;
    let seq = greeting.seq + 1;
    if (wantTls) {
      if ((hs.capabilities & Capability.Ssl) === 0) {
        throw new BackendError(
          "CONNECT_FAILED",
          `${this.target.name} does not offer TLS but the config asks for it`,
        );
      }
      this.write(encodePacket(seq++, encodeSslRequest(caps, login.maxPacketSize, login.collation)).bytes);
      await this.upgradeTls();
    }
    const authResponse =
      login.stage1.length === 0 ? Buffer.alloc(0) : scrambleFromStage1(login.stage1, hs.seed);
    const response = encodeHandshakeResponse({
      capabilities: wantTls ? caps | Capability.Ssl : caps,
      maxPacketSize: login.maxPacketSize,
      collation: login.collation,
      user: login.user,
      authResponse,
      authPlugin: NATIVE_PASSWORD_PLUGIN,
      attributes: new Map([
        ["_client_name", "sluice"],
        ["program_name", "sluice"],
      ]),
    });
    this.write(encodePacket(seq, response).bytes);
    for (;;) {
      const reply = await this.nextFrame();
      const head = reply.payload[0];
      if (head === ResponseHeader.Ok) return;
      if (head === ResponseHeader.Err) {
        const err = decodeErr(reply.payload);
        throw new BackendError(
          "AUTH_FAILED",
          `${this.target.name} rejected user '${login.user}': ${err.message}`,
          err,
        );
      }
      if (head === ResponseHeader.Eof) {
        const sw = decodeAuthSwitchRequest(reply.payload);
        if (sw.plugin !== NATIVE_PASSWORD_PLUGIN) {
          throw new BackendError(
            "AUTH_FAILED",
            `${this.target.name} wants auth plugin '${sw.plugin}' for '${login.user}'; Sluice authenticates with mysql_native_password only`,
          );
        }
        const token =
          login.stage1.length === 0
            ? Buffer.alloc(0)
            : scrambleFromStage1(login.stage1, sw.data.subarray(0, 20));
        this.write(encodePacket(reply.seq + 1, token).bytes);
        continue;
      }
      throw new BackendError(
        "PROTOCOL",
        `${this.target.name}: unexpected packet 0x${(head ?? 0).toString(16)} during login`,
      );
    }
  }

  private upgradeTls(): Promise<void> {
    const opts = typeof this.target.tls === "object" ? this.target.tls : {};
    const raw = this.socket;
    raw.removeAllListeners("data");
    raw.removeAllListeners("close");
    raw.removeAllListeners("error");
    return new Promise((resolve, reject) => {
      const secure = tlsConnect({
        socket: raw,
        rejectUnauthorized: opts.ca !== undefined,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(isIP(this.target.host) === 0 ? { servername: opts.servername ?? this.target.host } : {}),
      });
      secure.once("secureConnect", () => {
        this.socket = secure;
        this.listen(secure);
        resolve();
      });
      secure.once("error", (e) =>
        reject(new BackendError("CONNECT_FAILED", `TLS to ${this.target.name}: ${e.message}`)),
      );
    });
  }
}
