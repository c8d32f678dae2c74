import { redactLiterals } from "../log/redact-literals.js";
import { Command } from "../protocol/constants.js";

/**
 * One client session as the admin interface shows it (SHOW SESSIONS): plain data, built only when
 * asked, so workers can send it to the primary process as it is.
 */
export interface SessionView {
  readonly id: number;
  /** empty while the client is still logging in */
  readonly user: string;
  /** address:port of the client */
  readonly client: string;
  readonly schema: string | null;
  readonly state: SessionActivity;
  readonly inTransaction: boolean;
  /** the backend connection the session holds now: server and its thread id there */
  readonly backend: { readonly server: string; readonly threadId: number } | null;
  /** why the session may not give its connection back (temporary_table, lock_tables…) */
  readonly pins: readonly string[];
  /** statements (COM_QUERY, COM_STMT_EXECUTE) the session has sent */
  readonly statements: number;
  /** ms since the epoch */
  readonly connectedAt: number;
  /** when the last command started or ended, ms since the epoch */
  readonly lastActivity: number;
  /** the command running now, literals replaced; null when idle */
  readonly statement: string | null;
  readonly statementStartedAt: number | null;
}

export type SessionActivity = "login" | "idle" | "running" | "in transaction";

/** Longest statement text SHOW SESSIONS shows; the rest is cut (after redaction, so nothing leaks). */
const SHOWN_STATEMENT_CHARS = 256;
/** Bytes of a statement decoded to show it: a 64 MB INSERT is not decoded for a glance. */
const DECODED_BYTES = 4096;

const COMMAND_NAMES = new Map<number, string>(
  Object.entries(Command).map(([name, byte]) => [
    byte,
    `COM_${name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`,
  ]),
);

/**
 * What a running command looks like in SHOW SESSIONS: a COM_QUERY's text with its literals
 * replaced by `?`, any other command by its name (COM_STMT_EXECUTE…).
 */
export function describeCommand(payload: Buffer): string {
  const command = payload[0] ?? 0;
  if (command !== Command.Query) {
    return COMMAND_NAMES.get(command) ?? `COM_0x${command.toString(16).padStart(2, "0")}`;
  }
  const text = redactLiterals(payload.toString("utf8", 1, Math.min(payload.length, 1 + DECODED_BYTES)));
  return text.length > SHOWN_STATEMENT_CHARS ? `${text.slice(0, SHOWN_STATEMENT_CHARS)}…` : text;
}

/** The activity column: what the session is doing, most telling first. */
export function sessionActivity(s: {
  readonly loggedIn: boolean;
  readonly busy: boolean;
  readonly inTransaction: boolean;
}): SessionActivity {
  if (!s.loggedIn) return "login";
  if (s.busy) return "running";
  return s.inTransaction ? "in transaction" : "idle";
}
