import { type LogEvent, type LogParser, TimeSpan } from "../log-event.js";
import { isServerBanner } from "./server-banner.js";

/**
 * The general query log of MariaDB and MySQL (5.6 to 8.x). Each entry line is
 * `[timestamp]<TAB>[spaces]<thread id> <Command><TAB><argument>`; the timestamp is
 * `YYMMDD HH:MM:SS` (MariaDB, MySQL ≤ 5.6, printed only when the second changes) or ISO 8601
 * (MySQL ≥ 5.7, on every line). A statement that spans lines continues until the next entry line
 * or server banner, so any line that is not one belongs to the statement before it.
 */

const COMMANDS = [
  "Connect",
  "Query",
  "Init DB",
  "Prepare",
  "Execute",
  "Quit",
  "Close stmt",
  "Reset stmt",
  "Long Data",
  "Fetch",
  "Field List",
  "Ping",
  "Statistics",
  "Processlist",
  "Kill",
  "Change user",
  "Set option",
  "Refresh",
  "Shutdown",
  "Debug",
  "Sleep",
  "Time",
  "Create DB",
  "Drop DB",
  "Binlog Dump GTID",
  "Binlog Dump",
  "Register Slave",
  "Table Dump",
  "Connect Out",
  "Daemon",
  "Delayed insert",
  "Error",
  "Bulk_execute",
  "Reset connection",
];

const TIMESTAMP = String.raw`(?:\d{6}\s+\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)`;
export const GENERAL_ENTRY = new RegExp(
  String.raw`^(?:${TIMESTAMP}\s+|\t+)\s*(\d+)\s+(${COMMANDS.join("|")})(?:\t(.*)|\s*)$`,
);

/** `app@127.0.0.1 on sluice_test using TCP/IP`; the database is empty when none was given. */
const CONNECT_ARGUMENT = /^(.*)@(\S*) on (\S*)(?: using .*)?$/;

interface Pending {
  readonly thread: string;
  readonly command: string;
  readonly line: number;
  text: string;
}

export class GeneralLogParser implements LogParser {
  private pending: Pending | null = null;
  private readonly times = new TimeSpan();

  line(text: string, lineNo: number, out: LogEvent[]): void {
    const first = text.charCodeAt(0);
    // Fast path: entry lines start with a tab or a digit; anything else continues a statement.
    const maybeEntry = first === 9 || (first >= 48 && first <= 57);
    const m = maybeEntry ? GENERAL_ENTRY.exec(text) : null;
    if (m !== null) {
      this.flush(out);
      this.pending = { thread: m[1]!, command: m[2]!, line: lineNo, text: m[3] ?? "" };
      if (first !== 9) this.times.see(text.slice(0, text.indexOf("\t")).trim());
      return;
    }
    if (isServerBanner(text)) {
      this.flush(out);
      return;
    }
    if (this.pending !== null) this.pending.text += `\n${text}`;
    // else: text before the first entry (a truncated log): nothing to attach it to
  }

  end(out: LogEvent[]): void {
    this.flush(out);
  }

  timeRange() {
    return this.times.range();
  }

  private flush(out: LogEvent[]): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    const { thread, line } = p;
    switch (p.command) {
      case "Query":
        out.push({ kind: "query", thread, line, sql: p.text });
        return;
      case "Execute":
        out.push({ kind: "execute", thread, line, sql: p.text });
        return;
      case "Prepare":
        out.push({ kind: "prepare", thread, line, sql: p.text });
        return;
      case "Init DB":
        out.push({ kind: "init_db", thread, line, schema: p.text.trim() });
        return;
      case "Quit":
        out.push({ kind: "quit", thread, line });
        return;
      case "Connect":
      case "Change user": {
        // COM_CHANGE_USER resets the session like a new connection, under a new user
        const c = CONNECT_ARGUMENT.exec(p.text.trim());
        out.push({
          kind: "connect",
          thread,
          line,
          user: c?.[1] ?? null,
          clientAddress: c?.[2] || null,
          schema: c?.[3] || null,
        });
        return;
      }
      default:
      // Ping, Close stmt, Field List, …: nothing that routes a statement or changes the session
    }
  }
}
