import type { Logger } from "pino";
import type { QueryLogConfig } from "../config/types.js";
import { redactLiterals } from "./redact-literals.js";

/**
 * One finished statement, as the query log needs it. The routing layer's StatementRecord has
 * these fields, so serve hands its records over as they are (nothing copied per statement).
 */
export interface LoggedStatement {
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
  readonly latencyMs: number;
  readonly rows: number;
  /** the error number the client got, null on success */
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
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

/**
 * The fields of one query-log line: the statement redacted unless configured otherwise (an error
 * message may quote the data too: "Duplicate entry 'bob'…"). `digest` is the classifier's
 * fingerprint of the statement's shape, the key of SHOW DIGESTS.
 */
export function queryLogEntry(
  r: LoggedStatement,
  reason: LogReason,
  redact: boolean,
): Record<string, unknown> {
  return {
    reason,
    session: r.session,
    user: r.user,
    db: r.schema,
    digest: r.fingerprint,
    statement: redact ? (r.digest ?? redactLiterals(r.text)) : r.text,
    pool: r.pool,
    server: r.server,
    rule: r.rule,
    latencyMs: Math.round(r.latencyMs * 1000) / 1000,
    rows: r.rows,
    errorCode: r.errorCode,
    ...(r.errorMessage === null ? {} : { error: redact ? redactLiterals(r.errorMessage) : r.errorMessage }),
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

  record(r: LoggedStatement): void {
    const reason = this.#decider.decide(r.latencyMs);
    if (reason === null) return;
    const entry = queryLogEntry(r, reason, this.settings.redactLiterals);
    if (reason === "slow" || r.errorCode !== null) this.logger.warn(entry, "statement");
    else this.logger.info(entry, "statement");
  }
}
