import type { DigestTable } from "../admin/digests.js";
import type { ErrorOrigin, SluiceMetrics } from "../admin/sluice-metrics.js";
import type { QueryLogConfig } from "../config/types.js";
import { createRootLogger, type RootLogger } from "../log/logger.js";
import { QueryLog } from "../log/query-log.js";
import type { StatementRecord } from "../routing/statement-record.js";

/** Opens the query log's own pino logger (its level is fixed: the query log decides by itself). */
export type QueryLogOpener = (settings: QueryLogConfig) => RootLogger;

const openQueryLogger: QueryLogOpener = (settings) =>
  createRootLogger({ level: "info", destination: settings.destination, base: { log: "query" } });

/**
 * Where every statement serve forwards ends up: metrics, the digest table and the query log.
 * The query log writes to its own destination (stdout or a file) at its own level, so
 * `logging.level: warn` does not silence it; a reload with other `query_log` settings takes
 * effect at the next statement.
 */
export class StatementSink {
  #queryLog: QueryLog | null = null;
  #root: RootLogger | null = null;
  #settings: QueryLogConfig | null = null;

  constructor(
    private readonly metrics: SluiceMetrics,
    private readonly digests: DigestTable,
    settings: QueryLogConfig,
    private readonly open: QueryLogOpener = openQueryLogger,
  ) {
    this.configure(settings);
  }

  /** The routing environment's onStatement. */
  readonly record = (r: StatementRecord): void => {
    this.metrics.statement({
      pool: r.pool,
      server: r.server,
      rule: r.rule,
      seconds: r.latencyMs / 1000,
      error: errorOrigin(r.error),
    });
    this.digests.record({
      fingerprint: r.fingerprint,
      digest: r.digest,
      latencyMs: r.latencyMs,
      rows: r.rows,
      error: r.error !== null,
      pool: r.pool,
      at: r.at,
    });
    this.#queryLog?.record(r);
  };

  /** Applies `logging.query_log` (at start and on reload); the destination reopens only if it changed. */
  configure(settings: QueryLogConfig): void {
    const before = this.#settings;
    if (before !== null && sameSettings(before, settings)) return;
    this.#settings = settings;
    if (!settings.enabled) {
      this.#queryLog = null;
      this.#root?.close();
      this.#root = null;
      return;
    }
    if (this.#root === null || before === null || !sameDestination(before, settings)) {
      this.#root?.close();
      this.#root = this.open(settings);
    }
    this.#queryLog = new QueryLog(settings, this.#root.logger);
  }

  /** Writes out buffered lines (shutdown). */
  flush(): void {
    this.#root?.flush();
  }

  /** Reopens a log file moved by logrotate. */
  reopen(): void {
    this.#root?.reopen();
  }

  close(): void {
    this.#root?.close();
    this.#root = null;
    this.#queryLog = null;
  }
}

function errorOrigin(error: StatementRecord["error"]): ErrorOrigin | null {
  switch (error) {
    case null:
      return null;
    case "server":
      return "server";
    case "timeout":
      return "timeout";
    case "lost":
      return "proxy";
  }
}

function sameDestination(a: QueryLogConfig, b: QueryLogConfig): boolean {
  const x = a.destination;
  const y = b.destination;
  return x.kind === y.kind && (x.kind === "stdout" || (y.kind === "file" && x.path === y.path));
}

function sameSettings(a: QueryLogConfig, b: QueryLogConfig): boolean {
  return (
    a.enabled === b.enabled &&
    a.slowMs === b.slowMs &&
    a.sampleRate === b.sampleRate &&
    a.full === b.full &&
    a.redactLiterals === b.redactLiterals &&
    sameDestination(a, b)
  );
}
