import type { LogEvent, LogParser, SessionHints } from "../log-event.js";

/**
 * JSON lines: one object per line, e.g.
 *
 *   {"sql": "SELECT 1", "thread": 7, "user": "app", "schema": "shop", "in_transaction": false}
 *
 * `sql` is required unless `command` says otherwise; `command` is one of query (default),
 * execute, prepare, init_db (with `schema`), connect (with optional `user`, `schema`,
 * `client_address`) and quit. The session fields (`user`, `schema`, `in_transaction`,
 * `autocommit`, `client_address`) override what the simulation tracks. Without `thread`, every
 * line belongs to one session. Blank lines are skipped; a bad line becomes an `invalid` event.
 */

const DEFAULT_THREAD = "1";

export class JsonLinesParser implements LogParser {
  line(text: string, lineNo: number, out: LogEvent[]): void {
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      out.push({
        kind: "invalid",
        thread: DEFAULT_THREAD,
        line: lineNo,
        reason: `not JSON: ${(error as Error).message}`,
      });
      return;
    }
    out.push(toEvent(value, lineNo));
  }

  end(): void {}
}

function toEvent(value: unknown, line: number): LogEvent {
  const invalid = (reason: string): LogEvent => ({ kind: "invalid", thread: DEFAULT_THREAD, line, reason });
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return invalid("expected a JSON object");
  const o = value as Record<string, unknown>;
  const threadValue = o.thread ?? o.thread_id;
  if (threadValue !== undefined && typeof threadValue !== "string" && typeof threadValue !== "number") {
    return invalid('"thread" must be a string or a number');
  }
  const thread = threadValue === undefined ? DEFAULT_THREAD : String(threadValue);
  const command = o.command ?? "query";
  const sql = o.sql;
  const schema = o.schema;
  if (schema !== undefined && schema !== null && typeof schema !== "string")
    return invalid('"schema" must be a string or null');
  const hints = sessionHints(o);
  if (typeof hints === "string") return invalid(hints);
  switch (command) {
    case "query":
    case "execute":
      if (typeof sql !== "string") return invalid('"sql" must be a string');
      return { kind: command === "query" ? "query" : "execute", thread, line, sql, hints };
    case "prepare":
      if (typeof sql !== "string") return invalid('"sql" must be a string');
      return { kind: "prepare", thread, line, sql };
    case "init_db":
      if (typeof schema !== "string") return invalid('init_db needs "schema"');
      return { kind: "init_db", thread, line, schema };
    case "connect":
      return {
        kind: "connect",
        thread,
        line,
        user: hints.user ?? null,
        clientAddress: hints.clientAddress ?? null,
        schema: typeof schema === "string" ? schema : null,
      };
    case "quit":
      return { kind: "quit", thread, line };
    default:
      return invalid(
        `unknown "command" ${JSON.stringify(command)} (query, execute, prepare, init_db, connect, quit)`,
      );
  }
}

/** The optional session fields, checked; a string is the reason they are unusable. */
function sessionHints(o: Record<string, unknown>): SessionHints | string {
  const hints: { -readonly [K in keyof SessionHints]: SessionHints[K] } = {};
  for (const [field, key] of [
    ["user", "user"],
    ["client_address", "clientAddress"],
  ] as const) {
    const v = o[field];
    if (v === undefined) continue;
    if (typeof v !== "string") return `"${field}" must be a string`;
    hints[key] = v;
  }
  for (const [field, key] of [
    ["in_transaction", "inTransaction"],
    ["autocommit", "autocommit"],
  ] as const) {
    const v = o[field];
    if (v === undefined) continue;
    if (typeof v !== "boolean") return `"${field}" must be true or false`;
    hints[key] = v;
  }
  if (o.schema === null || typeof o.schema === "string") hints.schema = o.schema;
  return hints;
}
