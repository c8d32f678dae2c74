import { encodeErr } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { pinReasons } from "../routing/session-state.js";
import { giveBack } from "./backend-lease.js";
import { profileKey } from "./capabilities.js";
import { killOnBackend } from "./kill-handler.js";
import type { SessionCore } from "./session-core.js";
import { describeCommand, type SessionView, sessionActivity } from "./session-view.js";

/** What the command loop counts of a session for SHOW SESSIONS. */
export interface SessionActivityCounts {
  readonly connectedAt: number;
  readonly lastActivity: number;
  readonly statements: number;
  /** the command running now, if any */
  readonly running: Packet | undefined;
}

/**
 * What the command loop does once a command killed by KILL SESSION returns: "tell-client", send
 * the client error 1927; "answered", the server's answer to the killed statement said it already.
 */
export type KillAfterCommand = "no" | "tell-client" | "answered";

/** What SHOW SESSIONS shows of a session. */
export function sessionView(core: SessionCore, activity: SessionActivityCounts): SessionView {
  const lease = core.leases.current;
  const running = core.busy ? activity.running : undefined;
  return {
    id: core.id,
    user: core.user ?? "",
    client: `${core.clientHost}:${core.socket.remotePort ?? 0}`,
    schema: core.database ?? null,
    state: sessionActivity({
      loggedIn: core.user !== undefined,
      busy: core.busy,
      inTransaction: core.inTransaction,
    }),
    inTransaction: core.inTransaction,
    backend: lease === undefined ? null : { server: lease.key.server, threadId: lease.conn.threadId },
    pins: core.router === undefined ? [] : pinReasons(core.router.sessionState),
    statements: activity.statements,
    connectedAt: activity.connectedAt,
    lastActivity: activity.lastActivity,
    statement: running === undefined ? null : describeCommand(running.payload),
    statementStartedAt: running === undefined ? null : activity.lastActivity,
  };
}

/**
 * KILL SESSION from the admin interface. An idle session gets error 1927 (what MariaDB answers
 * for a killed connection) and is closed; its backend connection goes back to the pool through
 * COM_RESET_CONNECTION, which rolls an open transaction back and releases its locks at once. A
 * running statement is killed on its server instead (which rolls back there and answers the
 * statement with 1927), and the session ends when the command returns (`killAfterCommand` tells
 * the command loop how). "query" interrupts only the running statement, as KILL QUERY does.
 */
export async function killFromAdmin(
  core: SessionCore,
  scope: "connection" | "query",
  killAfterCommand: (how: KillAfterCommand) => void,
): Promise<string | undefined> {
  if (core.ended) return undefined;
  const held = core.backendThread();
  if (scope === "connection") {
    core.log.info({ reason: "KILL SESSION (admin)" }, "session terminated");
    if (!core.busy) {
      const lease = core.leases.take();
      core.router?.disconnected();
      core.write(encodePacket(0, encodeErr(MysqlErrors.connectionKilled())).bytes);
      core.end(false);
      if (lease !== undefined) await giveBack(core.services.pool, lease, core.inTransaction);
      return undefined;
    }
    killAfterCommand(held === undefined ? "tell-client" : "answered");
  } else if (!core.busy || held === undefined) {
    return undefined; // nothing runs on a server: nothing to interrupt
  }
  if (held === undefined) return undefined;
  // if the statement ends and the session lets the connection go meanwhile, it must not reach
  // another session before the KILL does
  const unmark = core.leases.markKillTarget();
  const error = await killOnBackend(
    core.services,
    { server: held.server, user: core.user ?? "", profile: profileKey(core.profile) },
    `KILL ${scope === "query" ? "QUERY" : "CONNECTION"} ${held.threadId}`,
    { threadId: held.threadId, shownAs: core.id },
  );
  unmark();
  if (error !== undefined && scope === "connection") killAfterCommand("tell-client");
  return error?.message;
}
