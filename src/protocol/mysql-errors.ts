/**
 * The one catalog of errors Sluice itself sends to clients as ERR packets. Numbers and SQLSTATEs
 * are the server's own (include/mysqld_error.h, errmsg.h), so clients react as they would to
 * MariaDB; Sluice-specific conditions reuse the closest server code and say "Sluice" in the text.
 */
export interface ClientError {
  readonly kind: "client-error";
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

function make(errno: number, sqlState: string, message: string): ClientError {
  return { kind: "client-error", errno, sqlState, message };
}

export const MysqlErrors = {
  accessDenied: (user: string, host: string, usingPassword: boolean) =>
    make(
      1045,
      "28000",
      `Access denied for user '${user}'@'${host}' (using password: ${usingPassword ? "YES" : "NO"})`,
    ),
  tooManyConnections: () => make(1040, "08004", "Too many connections"),
  tooManyUserConnections: (user: string) =>
    make(1203, "42000", `User ${user} already has more than 'max_user_connections' active connections`),
  hostBlocked: (host: string, failures: number, retryAfterSeconds: number) =>
    make(
      1129,
      "HY000",
      `Host '${host}' is blocked by Sluice after ${failures} failed logins; try again in ${retryAfterSeconds}s`,
    ),
  unknownThread: (id: number | string) => make(1094, "HY000", `Unknown thread id: ${id}`),
  connectionKilled: () => make(1927, "70100", "Connection was killed"),
  handshakeError: (detail: string) => make(1043, "08S01", `Bad handshake: ${detail}`),
  malformedPacket: (detail: string) => make(1835, "HY000", `Malformed communication packet: ${detail}`),
  packetTooLarge: (size: number, limit: number) =>
    make(
      1153,
      "08S01",
      `Got a packet bigger than 'max_allowed_packet' bytes (${size} > ${limit}); raise Sluice's maxPacketSize and the servers' max_allowed_packet together`,
    ),
  netReadTimeout: () => make(1159, "08S01", "Got timeout reading communication packets"),
  /** MariaDB's ER_STATEMENT_TIMEOUT, for a statement past its Sluice time limit */
  statementTimeout: (ms: number) =>
    make(
      1969,
      "70100",
      `Query execution was interrupted (max_statement_time exceeded) by Sluice after ${ms} ms`,
    ),
  idleTimeout: (seconds: number) =>
    make(4031, "HY000", `The client was disconnected by Sluice because of inactivity (idle for ${seconds}s)`),
  unknownCommand: (command: number) =>
    make(
      1047,
      "08S01",
      `Unknown command 0x${command.toString(16).padStart(2, "0")} (not supported by Sluice)`,
    ),
  backendUnavailable: (server: string, detail: string) =>
    make(2003, "HY000", `Sluice cannot reach backend '${server}': ${detail}`),
  /** a login Sluice cannot serve (no backend): a server code, as libmariadb refuses CR_* codes there */
  loginAborted: (detail: string) => make(1152, "08S01", detail),
  backendLost: (server: string, detail: string) =>
    make(2013, "HY000", `Lost connection to backend '${server}' during query: ${detail}`),
  poolTimeout: (server: string, ms: number) =>
    make(
      1040,
      "08004",
      `Too many connections: no connection to '${server}' became free within ${ms} ms (Sluice pool limit)`,
    ),
  noBackendCredentials: (user: string) =>
    make(
      1045,
      "28000",
      `Access denied for user '${user}': Sluice has no backend credential for this user yet (log in once with the password, or configure it in clear)`,
    ),
  unsupportedAuthPlugin: (plugin: string) =>
    make(1251, "08004", `Client does not support authentication protocol requested by server (${plugin})`),
  sslRequired: () => make(3159, "HY000", "Connections using insecure transport are prohibited"),
} as const;
