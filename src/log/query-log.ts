import type { Logger } from "pino";
import type { QueryLogConfig } from "../config/types.js";
import { redactLiterals } from "./redact-literals.js";

/** One finished statement, as the session reports it. */
export interface StatementRecord {
  readonly session: number;
  readonly user: string;
  readonly schema: string | null;
  /** the statement as the client sent it */
  readonly text: string;
  /** the classifier's digest (literals replaced) when the caller has it; preferred for redaction */
  readonly digest: string | null;
  readonly fingerprint: string | null;
  readonly pool: string | null;
  readonly server: string | null;
  readonly rule: string | null;
  readonly durationMs: number;
  readonly rows: number;
  readonly error: { readonly code: number; readonly message: string } | null;
}

export type LogReason = "full" | "slow" | "sampled";

/**
 * Decides per statement whether it goes to the query log. Pure and deterministic: sampling adds
 * the rate to a counter and logs each time it passes a whole number, so a rate of 0.01 logs
 * exactly one statement in every hundred, evenly spread, and tests can predict which.
 */
export class QueryLogDecider {
  #credit = 0;

  constructor(readonly settings: Pick<QueryLogConfig, "enabled" | "full" | "slowMs" | "sampleRate">) {}

  decide(durationMs: number): LogReason | null {
    const s = this.settings;
    if (!s.enabled) return null;
    if (s.full) return "full";
    if (s.slowMs !== null && durationMs >= s.slowMs) return "slow";
    if (s.sampleRate <= 0) return null;
    this.#credit += s.sampleRate;
    if (this.#credit >= 1 - 1e-9) {
      this.#credit -= 1;
      return "sampled";
    }
    return null;
  }
}

/** The fields of one query-log line: the SQL redacted unless configured otherwise. */
export function queryLogEntry(
  r: StatementRecord,
  reason: LogReason,
  redact: boolean,
): Record<string, unknown> {
  const sql = redact ? (r.digest ?? redactLiterals(r.text)) : r.text;
  return {
    reason,
    session: r.session,
    user: r.user,
    schema: r.schema,
    sql,
    fingerprint: r.fingerprint,
    pool: r.pool,
    server: r.server,
    rule: r.rule,
    durationMs: Math.round(r.durationMs * 1000) / 1000,
    rows: r.rows,
    ...(r.error === null
      ? {}
      : { errorCode: r.error.code, error: redact ? redactLiterals(r.error.message) : r.error.message }),
  };
}

/** The shell: decides, builds the entry and writes it to the query log's own logger. */
export class QueryLog {
  readonly #decider: QueryLogDecider;

  constructor(
    readonly settings: QueryLogConfig,
    readonly logger: Logger,
  ) {
    this.#decider = new QueryLogDecider(settings);
  }

  record(r: StatementRecord): void {
    const reason = this.#decider.decide(r.durationMs);
    if (reason === null) return;
    const entry = queryLogEntry(r, reason, this.settings.redactLiterals);
    if (reason === "slow" || r.error !== null) this.logger.warn(entry, "statement");
    else this.logger.info(entry, "statement");
  }
}
