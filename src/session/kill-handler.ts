import type { PoolKey } from "../pool/pool-types.js";
import { Command } from "../protocol/constants.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { backendKillSql, type KillRequest } from "./kill-statement.js";
import { acquireError } from "./session-errors.js";
import type { KillableSession, SessionServices } from "./session-services.js";

export type KillResponse =
  | { readonly kind: "ok" }
  | { readonly kind: "error"; readonly error: ClientError }
  | { readonly kind: "self-killed" };

/**
 * KILL [QUERY|CONNECTION] n / COM_PROCESS_KILL n, where n is Sluice's connection id. The KILL
 * runs on a separate pooled connection, as the requesting user, on the server holding the
 * target's backend thread, so the server's own privilege rules decide (own threads, or
 * CONNECTION ADMIN / SUPER). KILL CONNECTION also ends the target's client session.
 */
export async function handleKill(
  req: KillRequest,
  ctx: { requester: KillableSession; user: string; profile: string; services: SessionServices },
): Promise<KillResponse> {
  const { services } = ctx;
  const target = services.sessions.get(req.id);
  if (target === undefined) return { kind: "error", error: MysqlErrors.unknownThread(req.id) };
  const backend = target.backendThread();
  if (backend !== undefined) {
    const key = { server: backend.server, user: ctx.user, profile: ctx.profile };
    const error = await killOnBackend(services, key, backendKillSql(req, backend.threadId), {
      threadId: backend.threadId,
      shownAs: req.id,
    });
    if (error !== undefined) return { kind: "error", error };
  } else if (req.scope === "connection" && target.user !== ctx.user) {
    // No backend to ask: allow only the owner (the server's rule for users without CONNECTION ADMIN).
    return {
      kind: "error",
      error: {
        kind: "client-error",
        errno: 1095,
        sqlState: "HY000",
        message: `You are not owner of thread ${req.id}`,
      },
    };
  }
  if (req.scope === "connection") {
    if (target === ctx.requester) return { kind: "self-killed" };
    target.terminate(`KILL CONNECTION from session ${ctx.requester.id}`);
  }
  return { kind: "ok" };
}

/**
 * Runs a KILL statement for a backend thread on a pooled connection of `key` (its user decides
 * what the server allows). Returns the error for the client, if any; the server's 1094 "Unknown
 * thread id" means the thread already ended, which is not an error here. `thread.shownAs`
 * replaces the backend thread id in the server's messages (clients know Sluice's ids).
 */
export async function killOnBackend(
  services: Pick<SessionServices, "pool">,
  key: PoolKey,
  sql: string,
  thread: { readonly threadId: number; readonly shownAs: number },
): Promise<ClientError | undefined> {
  let conn: Awaited<ReturnType<typeof services.pool.acquire>>;
  try {
    conn = await services.pool.acquire(key);
  } catch (e) {
    // a pool at its limit is 1040 "Too many connections", as everywhere else
    return acquireError(e, key.server);
  }
  const payload = Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
  const state = await conn.command(payload).catch(() => undefined);
  services.pool.release(key, conn, state !== undefined);
  if (state === undefined) return MysqlErrors.backendLost(key.server, "while running KILL");
  const e = state.error;
  if (e === undefined || e.errno === 1094) return undefined;
  return {
    kind: "client-error",
    errno: e.errno,
    sqlState: e.sqlState,
    message: e.message.replace(String(thread.threadId), String(thread.shownAs)),
  };
}
