import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext } from "node:tls";
import type { Topology } from "../monitor/types.js";
import { BackendConnection } from "../pool/backend-connection.js";
import type { BackendTarget } from "../pool/backend-socket.js";
import { Pool } from "../pool/pool.js";
import type { PoolCounters, PoolKey, PoolKeyStats } from "../pool/pool-types.js";
import { encodeErr } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import { encodePacket } from "../protocol/packet-writer.js";
import type { ActiveOperations } from "../routing/active-operations.js";
import type { RoutingEnvironment } from "../routing/routing-environment.js";
import type { BackendChooser } from "../session/backend-chooser.js";
import { parseProfileKey, SERVER_PROVIDED_FLAGS } from "../session/capabilities.js";
import { ClientSession } from "../session/client-session.js";
import { CredentialStore } from "../session/credentials.js";
import { DEFAULT_LOGIN_RATE_LIMIT } from "../session/login-rate-limit.js";
import { newCounters, type ProxyCounters, type SessionServices } from "../session/session-services.js";
import type { SessionView } from "../session/session-view.js";
import { currentPrimary, followPrimary } from "./current-primary.js";
import { probeServer, type ServerGreeting } from "./probe-version.js";
import { createProxyLogger } from "./proxy-logger.js";
import { DEFAULT_MAX_PACKET_SIZE, DEFAULT_POOL_OPTIONS, type ProxyOptions } from "./proxy-options.js";

export interface ProxyHandle {
  readonly host: string;
  readonly port: number;
  /** live counters (read them, do not write) */
  readonly counters: Readonly<ProxyCounters>;
  readonly poolCounters: Readonly<PoolCounters>;
  /** open backend connections (leased + idle + opening) per server */
  openBackendConnections(server: string): number;
  /** backend connections to `server` leased by sessions now (open minus idle and warming) */
  busyBackendConnections(server: string): number;
  /**
   * statements running on `server` now (routing's count); without a policy, the connections
   * leased on it (a session keeps its connection between statements there)
   */
  runningStatements(server: string): number;
  /** client connections logged in as `user` now (what maxConnections counts) */
  userConnections(user: string): number;
  idleBackendConnections(key: PoolKey): number;
  /** every client session now, as SHOW SESSIONS shows it (built on demand) */
  sessions(): SessionView[];
  /** every pool key's connections and counters (SHOW POOLS) */
  poolStats(): PoolKeyStats[];
  /**
   * KILL SESSION from the admin interface (see ClientSession.killFromAdmin); resolves once the
   * session has ended (at most `KILL_WAIT_MS` later for a statement that ignores the kill).
   */
  killSession(id: number, scope: "connection" | "query"): Promise<AdminKillOutcome>;
  /**
   * Graceful stop, step one: accept no new clients and wait (up to `timeoutMs`) until no session
   * has a transaction open or a statement running. Returns how many were still open at the end.
   */
  drain(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export type AdminKillOutcome =
  | { readonly kind: "ok" }
  | { readonly kind: "no-such-session" }
  | { readonly kind: "error"; readonly message: string };

/** How long KILL SESSION waits for the session to be gone before answering anyway. */
const KILL_WAIT_MS = 5_000;

/**
 * Extension points for later issues and tests: the routing issue supplies its own chooser (which
 * server runs each command, and whether the connection goes back to the pool after it).
 */
export interface ProxyHooks {
  /** a fixed chooser (tests); without it every command follows the current primary */
  readonly chooser?: (primary: string) => BackendChooser;
  /**
   * The monitor's latest topology (null before its first check). Logins, COM_CHANGE_USER and
   * the default chooser read the primary from it at each use; without it the configured primary
   * is the primary for good.
   */
  readonly topology?: () => Topology | null;
  /**
   * Policy routing (src/routing): given the pool's open-connection counts, the environment every
   * session routes in. Without it every command goes where the chooser says.
   */
  readonly routing?: (pool: { openCount(server: string): number }) => RoutingEnvironment & {
    readonly operations: ActiveOperations;
  };
}

/** Starts a Sluice listener forwarding to the configured primary. */
export async function startProxy(options: ProxyOptions, hooks: ProxyHooks = {}): Promise<ProxyHandle> {
  const logger = options.logger ?? createProxyLogger();
  const limits = { ...DEFAULT_POOL_OPTIONS, ...options.pool };
  // The configured primary stands in only until the monitor's first check (current-primary.ts).
  const primary = options.servers.find((s) => s.role === "primary");
  if (primary === undefined) throw new Error("startProxy: no server with role 'primary' in options.servers");
  const current = currentPrimary(hooks.topology ?? (() => null), primary.name);
  const servers = new Map<string, BackendTarget>(options.servers.map((s) => [s.name, s]));
  const credentials = new CredentialStore(options.users, {
    maxUserConnections: options.maxUserConnections,
    loginRateLimit:
      options.loginRateLimit === false ? undefined : (options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT),
  });
  const maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;

  const pool = new Pool<BackendConnection>(
    limits,
    async (key) => {
      const target = servers.get(key.server);
      if (target === undefined) throw new Error(`unknown server '${key.server}'`);
      const stage1 = credentials.get(key.user)?.stage1;
      if (stage1 === undefined) throw new Error(`no backend credential for user '${key.user}' yet`);
      const profile = parseProfileKey(key.profile);
      return BackendConnection.open(
        target,
        {
          user: key.user,
          stage1,
          capabilities: profile.capabilities,
          collation: profile.collation,
          maxPacketSize,
        },
        limits.connectTimeoutMs,
        logger.child({ server: key.server, user: key.user }),
      );
    },
    (key, e) =>
      logger.warn(
        { server: key.server, user: key.user, err: (e as Error).message },
        "warming the pool failed",
      ),
  );
  const sweeper = setInterval(() => pool.sweep(), Math.min(10_000, Math.max(1000, limits.idleTimeoutMs / 2)));
  sweeper.unref();

  const greeting = await firstGreeting(
    [primary, ...options.servers.filter((s) => s !== primary)],
    limits.connectTimeoutMs,
  );
  if (greeting === undefined) logger.warn("no server sent its greeting; announcing defaults");
  const serverVersion = options.serverVersion ?? greeting?.version ?? "5.5.5-10.11.0-MariaDB-sluice";
  // Pass-through flags the primary lacks are not offered (Sluice does not translate formats).
  const capabilityMask =
    greeting === undefined ? 0xffffffff : ~(SERVER_PROVIDED_FLAGS & ~greeting.capabilities) >>> 0;
  const tls =
    options.tls === undefined
      ? undefined
      : {
          context: createSecureContext({
            cert: readFileSync(options.tls.certPath),
            key: readFileSync(options.tls.keyPath),
          }),
          required: options.tls.required ?? false,
        };
  const counters = newCounters();
  const services: SessionServices = {
    credentials,
    pool,
    servers,
    chooser: hooks.chooser?.(primary.name) ?? followPrimary(current, hooks.routing !== undefined),
    ...(hooks.routing === undefined ? {} : { routing: hooks.routing(pool) }),
    sessions: new Map(),
    counters,
    logger,
    serverVersion: () => serverVersion,
    capabilityMask,
    tls,
    maxPacketSize,
    clientIdleMs: options.timeouts?.clientIdleMs ?? 0,
    handshakeMs: options.timeouts?.handshakeMs ?? 10_000,
  };
  const maxClients = options.maxClientConnections ?? 10_000;
  const ids = options.sessionIds ?? { first: 1, step: 1 };
  let nextId = ids.first;
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setNoDelay(true);
    if (counters.activeSessions >= maxClients) {
      counters.clientsRejected++;
      socket.end(encodePacket(0, encodeErr(MysqlErrors.tooManyConnections())).bytes);
      return;
    }
    counters.clientsAccepted++;
    const session = new ClientSession(nextId, socket, services);
    nextId += ids.step;
    session.run().catch((e: unknown) => logger.error({ err: (e as Error).message }, "session crashed"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.listen.port;
  logger.info({ host: options.listen.host, port, primary: current.writer() }, "listening");

  return {
    host: options.listen.host,
    port,
    counters,
    poolCounters: pool.counters,
    openBackendConnections: (name) => pool.openCount(name),
    busyBackendConnections: (name) => pool.busyCount(name),
    runningStatements: (name) => services.routing?.operations.get(name) ?? pool.busyCount(name),
    userConnections: (user) => credentials.connections.count(user),
    idleBackendConnections: (key) => pool.idleCount(key),
    sessions: () => [...services.sessions.values()].map((s) => s.view()),
    poolStats: () => pool.stats(),
    killSession: async (id, scope) => {
      const session = services.sessions.get(id);
      if (session === undefined) return { kind: "no-such-session" };
      const error = await session.killFromAdmin(scope);
      if (scope === "connection") {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([session.done, new Promise((r) => (timer = setTimeout(r, KILL_WAIT_MS)))]);
        clearTimeout(timer);
      }
      return error === undefined ? { kind: "ok" } : { kind: "error", message: error };
    },
    drain: async (timeoutMs) => {
      server.close();
      const deadline = Date.now() + timeoutMs;
      const open = () => [...services.sessions.values()].filter((s) => s.transactionOpen).length;
      while (open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return open();
    },
    close: async () => {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of services.sessions.values()) s.terminate("proxy shutting down");
      for (const s of sockets) s.destroy();
      pool.close();
      await closed;
    },
  };
}

/**
 * The greeting Sluice imitates: the configured primary's, else (it is down at start-up) the first
 * other server's, so a start during an outage still announces the cluster's version.
 */
async function firstGreeting(
  servers: readonly BackendTarget[],
  timeoutMs: number,
): Promise<ServerGreeting | undefined> {
  for (const s of servers) {
    const greeting = await probeServer(s, timeoutMs).catch(() => undefined);
    if (greeting !== undefined) return greeting;
  }
  return undefined;
}
