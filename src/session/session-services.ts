import type { SecureContext } from "node:tls";
import type { Logger } from "pino";
import type { BackendConnection } from "../pool/backend-connection.js";
import type { BackendTarget } from "../pool/backend-socket.js";
import type { Pool } from "../pool/pool.js";
import type { ActiveOperations } from "../routing/active-operations.js";
import type { RoutingEnvironment } from "../routing/routing-environment.js";
import type { BackendChooser } from "./backend-chooser.js";
import type { CredentialStore } from "./credentials.js";
import type { SessionView } from "./session-view.js";

/** Counters every session updates; the proxy handle exposes them. */
export interface ProxyCounters {
  clientsAccepted: number;
  clientsRejected: number;
  activeSessions: number;
  authFailures: number;
  commands: number;
  forwarded: number;
  answeredLocally: number;
  backendErrors: number;
  protocolErrors: number;
  kills: number;
  /** times a backend socket was paused because a client was not reading fast enough */
  backpressurePauses: number;
  /**
   * statements Sluice ran on its own: reading a session's earlier results or user variables off a
   * connection before giving it up (session/result-capture.ts), clearing the warnings another
   * session left on a connection (backend-lease.ts)
   */
  ownStatements: number;
}

export function newCounters(): ProxyCounters {
  return {
    clientsAccepted: 0,
    clientsRejected: 0,
    activeSessions: 0,
    authFailures: 0,
    commands: 0,
    forwarded: 0,
    answeredLocally: 0,
    backendErrors: 0,
    protocolErrors: 0,
    kills: 0,
    backpressurePauses: 0,
    ownStatements: 0,
  };
}

/** A session Sluice can address by its connection id (for KILL). */
export interface KillableSession {
  readonly id: number;
  readonly user: string | undefined;
  /** server and backend thread of the connection the session holds now */
  backendThread(): { server: string; threadId: number } | undefined;
  /** ends the session: KILL CONNECTION */
  terminate(reason: string): void;
  /** a transaction is open or a statement is running: a graceful shutdown waits for it */
  readonly transactionOpen: boolean;
  /** what SHOW SESSIONS shows of it, built on demand */
  view(): SessionView;
  /**
   * KILL SESSION from the admin interface: "connection" ends the session (an open transaction is
   * rolled back), "query" interrupts only its running statement. Returns an error text, if any.
   */
  killFromAdmin(scope: "connection" | "query"): Promise<string | undefined>;
  /** settles when the session has ended and left `SessionServices.sessions` */
  readonly done: Promise<void>;
}

/** What sessions share: one per proxy, assembled by src/runtime/proxy.ts. */
export interface SessionServices {
  /** policy routing; without it every command goes where `chooser` says */
  readonly routing?: RoutingEnvironment & { readonly operations: ActiveOperations };
  readonly credentials: CredentialStore;
  readonly pool: Pool<BackendConnection>;
  readonly servers: ReadonlyMap<string, BackendTarget>;
  readonly chooser: BackendChooser;
  readonly sessions: Map<number, KillableSession>;
  readonly counters: ProxyCounters;
  readonly logger: Logger;
  readonly serverVersion: () => string;
  /** applied to Sluice's offered capabilities (drops pass-through flags the primary lacks) */
  readonly capabilityMask: number;
  readonly tls: { readonly context: SecureContext; readonly required: boolean } | undefined;
  readonly maxPacketSize: number;
  readonly clientIdleMs: number;
  readonly handshakeMs: number;
}
