/**
 * One thing a query log says happened, whatever the log's format. Readers turn general logs,
 * slow logs, SQL files and JSON lines into these; the simulation replays them per thread.
 *
 * `thread` is the log's connection id as text (JSON lines may use any string); `line` is the
 * 1-based line of the log where the entry starts.
 */

/** What a log knows about the session a statement ran in, beyond the statement itself (the slow
 *  log's `# User@Host` and `Schema:`, a JSON line's fields). Overrides the simulated state. */
export interface SessionHints {
  readonly user?: string;
  readonly schema?: string | null;
  readonly inTransaction?: boolean;
  readonly autocommit?: boolean;
  readonly clientAddress?: string;
}

interface EventBase {
  readonly thread: string;
  readonly line: number;
}

export type LogEvent =
  | (EventBase & {
      readonly kind: "connect";
      readonly user: string | null;
      readonly clientAddress: string | null;
      readonly schema: string | null;
    })
  | (EventBase & { readonly kind: "init_db"; readonly schema: string })
  | (EventBase & { readonly kind: "query"; readonly sql: string; readonly hints?: SessionHints })
  /** COM_STMT_PREPARE: the text with `?` placeholders */
  | (EventBase & { readonly kind: "prepare"; readonly sql: string })
  /** COM_STMT_EXECUTE: the general log prints the statement with its values substituted */
  | (EventBase & { readonly kind: "execute"; readonly sql: string; readonly hints?: SessionHints })
  | (EventBase & { readonly kind: "quit" })
  /** a line the reader could not make sense of (e.g. malformed JSON); reported, never fatal */
  | (EventBase & { readonly kind: "invalid"; readonly reason: string });

export type LogEventKind = LogEvent["kind"];

export const INPUT_FORMATS = ["general", "slow", "sql", "jsonl"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/**
 * A format's parser: fed the log one line at a time (without the line break), in order; appends
 * the events each line completes to `out`. Pure and synchronous so the hot loop stays cheap; the
 * shell (read-log.ts) does the I/O.
 */
export interface LogParser {
  line(text: string, lineNo: number, out: LogEvent[]): void;
  /** the input ended: flush what is pending */
  end(out: LogEvent[]): void;
  /** the first and last timestamps the log printed, as printed (logs without them: absent) */
  timeRange?(): TimeRange | null;
}

export interface TimeRange {
  readonly first: string;
  readonly last: string;
}

/** Remembers the first and last of a series of timestamps. */
export class TimeSpan {
  private first: string | null = null;
  private last: string | null = null;

  see(time: string): void {
    this.first ??= time;
    this.last = time;
  }

  range(): TimeRange | null {
    return this.first === null || this.last === null ? null : { first: this.first, last: this.last };
  }
}
