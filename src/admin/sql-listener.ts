import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr, encodeOk } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import { encodePacket, encodePackets } from "../protocol/packet-writer.js";
import { encodeResultSet } from "../protocol/result-set.js";
import { ClientInput } from "../session/client-input.js";
import { CredentialStore } from "../session/credentials.js";
import { authenticateClient } from "../session/frontend-auth.js";
import { DEFAULT_LOGIN_RATE_LIMIT } from "../session/login-rate-limit.js";
import type { AdminActions, AdminSnapshot } from "./admin-snapshot.js";
import { type AdminResult, runAdminStatement } from "./execute-admin.js";

export interface AdminListenerOptions {
  /** loopback by default: the admin interface can change routing and kill sessions */
  readonly host?: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** with workers the primary asks each of them, so it may be async */
  readonly snapshot: () => AdminSnapshot | Promise<AdminSnapshot>;
  readonly actions: AdminActions;
  readonly logger: Logger;
  readonly serverVersion?: string;
}

export interface AdminListener {
  readonly port: number;
  close(): Promise<void>;
}

const STATUS = ServerStatus.Autocommit;
const MAX_ADMIN_PACKET = 1024 * 1024;

/**
 * The MySQL-protocol admin interface: `mariadb -h127.0.0.1 -P<port> -u<admin> -p` then
 * `SHOW SERVERS`, `RELOAD`, … It speaks just enough of the protocol for SQL clients: login,
 * COM_QUERY, COM_PING, COM_INIT_DB (accepted and ignored), COM_QUIT.
 */
export async function startAdminListener(options: AdminListenerOptions): Promise<AdminListener> {
  // failed admin logins are rate-limited per address like client logins
  const credentials = new CredentialStore([{ name: options.user, password: options.password }], {
    loginRateLimit: DEFAULT_LOGIN_RATE_LIMIT,
  });
  let nextId = 1;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    serve(socket, nextId++, credentials, options).catch((error: unknown) => {
      options.logger.warn({ err: error }, "admin session failed");
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host ?? "127.0.0.1", port: options.port }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  options.logger.info({ host: options.host ?? "127.0.0.1", port }, "admin interface listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  socket: Socket,
  id: number,
  credentials: CredentialStore,
  options: AdminListenerOptions,
): Promise<void> {
  const input = new ClientInput(socket, MAX_ADMIN_PACKET);
  const outcome = await authenticateClient(socket, input, {
    connectionId: id,
    serverVersion: options.serverVersion ?? "10.11.0-sluice-admin",
    // offer everything Sluice can speak: the admin interface answers itself, no backend to match
    capabilityMask: 0xffffffff,
    credentials,
    tls: undefined,
    timeoutMs: 10_000,
    clientHost: socket.remoteAddress ?? "unknown",
  });
  if (outcome.kind === "rejected") {
    options.logger.warn({ client: socket.remoteAddress, reason: outcome.reason }, "admin login refused");
    socket.end(encodePacket(outcome.nextSeq, encodeErr(outcome.error)).bytes);
    return;
  }
  const capabilities = outcome.capabilities;
  socket.write(encodePacket(outcome.nextSeq, encodeOk({ status: STATUS })).bytes);
  for (;;) {
    const packet = await input.next().catch(() => undefined);
    if (packet === undefined) return;
    const command = packet.payload[0];
    if (command === Command.Quit) {
      socket.end();
      return;
    }
    if (command === Command.Ping || command === Command.InitDb) {
      socket.write(encodePacket(1, encodeOk({ status: STATUS })).bytes);
      continue;
    }
    if (command !== Command.Query) {
      socket.write(encodePacket(1, encodeErr(MysqlErrors.unknownCommand(command ?? 0))).bytes);
      continue;
    }
    const text = packet.payload.subarray(1).toString("utf8");
    const result = await runAdminStatement(text, options.snapshot, options.actions).catch(
      (error: unknown): AdminResult => ({
        kind: "error",
        code: 1105,
        sqlState: "HY000",
        message: error instanceof Error ? error.message : String(error),
      }),
    );
    options.logger.info({ admin: outcome.user, statement: text, result: result.kind }, "admin statement");
    socket.write(encodeResult(result, capabilities));
  }
}

function encodeResult(result: AdminResult, capabilities: number): Buffer {
  switch (result.kind) {
    case "rows":
      return encodePackets(
        1,
        encodeResultSet({ columns: result.columns, rows: result.rows }, { capabilities, status: STATUS }),
      ).bytes;
    case "ok":
      return encodePacket(1, encodeOk({ status: STATUS })).bytes;
    case "error":
      return encodePacket(
        1,
        encodeErr({ kind: "err", errno: result.code, sqlState: result.sqlState, message: result.message }),
      ).bytes;
  }
}
