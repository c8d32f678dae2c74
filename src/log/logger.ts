import { type DestinationStream, type Logger, pino } from "pino";
import { type LogDestination, type LoggingConfig, type LogLevel, logLevels } from "../config/types.js";

/**
 * The one root logger of a Sluice process (pino, JSON lines). Everything else logs through a child
 * of it (per session, per backend connection, per subsystem) so each line carries its context.
 * Passwords are kept out twice over: `Secret` values serialise as "[redacted]", and these paths are
 * censored whatever their type, for the day someone logs a raw password string.
 */
export const REDACT_PATHS = [
  "password",
  "passwd",
  "secret",
  "authorization",
  "*.password",
  "*.passwd",
  "*.secret",
  "*.authorization",
  "*.*.password",
  "*.*.secret",
  "passwordHash",
  "*.passwordHash",
  "users[*].password",
  "users[*].passwordHash",
  "*.users[*].password",
  "*.users[*].passwordHash",
  "config.users[*].password",
  "config.admin.password",
  "config.monitor.credentials.password",
  "config.monitor.replication.password",
];

export interface RootLoggerOptions {
  readonly level: LogLevel;
  readonly destination: LogDestination;
  /** write each line before returning (tests, and the last lines before exit); default false */
  readonly sync?: boolean;
  /** overrides `destination` (tests capture lines this way) */
  readonly stream?: DestinationStream;
  /** bound on every line, e.g. { worker: 2 } */
  readonly base?: Readonly<Record<string, string | number>>;
}

export interface RootLogger {
  readonly logger: Logger;
  /** reopen the log file (after logrotate moved it; call on SIGUSR2); no-op on stdout */
  reopen(): void;
  /** write out buffered lines (before exit) */
  flush(): void;
  /** flush and close the destination (a file); the logger must not be used afterwards */
  close(): void;
}

export function createRootLogger(options: RootLoggerOptions): RootLogger {
  const sync = options.sync ?? false;
  const boom =
    options.stream === undefined
      ? options.destination.kind === "stdout"
        ? pino.destination({ dest: 1, sync })
        : pino.destination({ dest: options.destination.path, sync, append: true, mkdir: false })
      : null;
  // A log file that cannot be written or reopened (disk full, a folder logrotate removed) must not
  // take the proxy down: say so on stderr; sonic-boom keeps the old file when a reopen fails.
  // (pino re-emits an error it does not handle itself: the same object twice, said once)
  let said: Error | null = null;
  boom?.on("error", (err: Error) => {
    if (err !== said) process.stderr.write(`sluice: log ${where(options.destination)}: ${err.message}\n`);
    said = err;
  });
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.stream ?? boom ?? undefined,
  );
  const flush = () => {
    if (boom === null) return;
    try {
      boom.flushSync();
    } catch {
      // The file is not open yet (it opens asynchronously): nothing was written to flush.
    }
  };
  return {
    logger,
    reopen: () => {
      if (boom !== null && options.destination.kind === "file") boom.reopen();
    },
    flush,
    close: () => {
      flush();
      if (boom !== null && options.destination.kind === "file") boom.end();
    },
  };
}

/**
 * `sluice serve`'s own log as the config's `logging` says (null: the config did not load, so
 * stdout at info while serve reports why). SLUICE_LOG_LEVEL, when it names a level, overrides
 * `logging.level` for one run without editing the config.
 */
export function serveLogOptions(
  logging: Pick<LoggingConfig, "level" | "destination"> | null,
  env: NodeJS.ProcessEnv = process.env,
): RootLoggerOptions {
  const override = logLevels.find((l) => l === env.SLUICE_LOG_LEVEL);
  return {
    level: override ?? logging?.level ?? "info",
    destination: logging?.destination ?? { kind: "stdout" },
  };
}

function where(destination: LogDestination): string {
  return destination.kind === "file" ? destination.path : "stdout";
}

/** A client session's logger: every line says which session, user and client. */
export function sessionLogger(root: Logger, s: { id: number; user: string; client: string }): Logger {
  return root.child({ session: s.id, user: s.user, client: s.client });
}

/** A backend connection's logger. */
export function backendLogger(root: Logger, b: { server: string; connectionId: number }): Logger {
  return root.child({ server: b.server, backendConnection: b.connectionId });
}

/** A subsystem's logger (monitor, reload, admin, http…). */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
