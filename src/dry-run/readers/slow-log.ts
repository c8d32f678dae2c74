import { type LogEvent, type LogParser, type SessionHints, TimeSpan } from "../log-event.js";
import { isServerBanner } from "./server-banner.js";

/**
 * The slow query log of MariaDB and MySQL. An entry is a block of `#` header lines, optional
 * `use db;` and `SET timestamp=N;` lines, then the statement (which may span lines) ending in `;`:
 *
 *   # Time: 261121 16:39:49                          (only when the second changes)
 *   # User@Host: app[app] @  [127.0.0.1]             (MySQL 8 appends `  Id: 8`)
 *   # Thread_id: 8  Schema: sluice_test  QC_hit: No  (MariaDB)
 *   # Query_time: 0.000169  Lock_time: 0.000056  Rows_sent: 1  Rows_examined: 1
 *   use `sluice_test`;
 *   SET timestamp=1795279189;
 *   SELECT id, name FROM dr_items WHERE id = 1;
 *
 * Only `# Time:` and `# User@Host:` start an entry, so a statement may hold `#` comment lines.
 * The slow log records finished statements only (no connects, quits or prepares), and its
 * `Schema:` is the database after the statement ran; session state is only approximate here.
 */

const USER_HOST = /^# User@Host: ([^[\s]*)\[([^\]]*)\] @ (\S*) *\[([^\]]*)\](?:\s+Id:\s*(\d+))?/;
const THREAD_SCHEMA = /^# Thread_id: (\d+)(?:\s+Schema: (\S*))?/;
const USE_LINE = /^use (`(?:[^`]|``)+`|\S+);$/i;
const SET_TIMESTAMP = /^SET timestamp=\d+(?:\.\d+)?;$/;
const ADMIN_COMMAND = /^# administrator command: /;

/** after `SET timestamp=…;` the next line is the statement, even one that reads `USE x;` */
type Stage = "idle" | "header" | "statement" | "body";

export class SlowLogParser implements LogParser {
  private stage: Stage = "idle";
  private thread = "0";
  private user: string | undefined;
  private clientAddress: string | undefined;
  private schema: string | null | undefined;
  private admin = false;
  private body = "";
  private bodyLine = 0;
  private readonly times = new TimeSpan();

  line(text: string, lineNo: number, out: LogEvent[]): void {
    if (text.startsWith("# Time:")) {
      this.flush(out);
      this.times.see(text.slice(7).trim());
      this.stage = "header";
      return;
    }
    if (text.startsWith("# User@Host:")) {
      this.flush(out);
      this.stage = "header";
      const m = USER_HOST.exec(text);
      // `user[priv_user]`: the bracketed one is the account the server authenticated
      this.user = m ? m[2] || m[1] || undefined : undefined;
      this.clientAddress = m ? m[4] || m[3] || undefined : undefined;
      if (m?.[5] !== undefined) this.thread = m[5];
      this.schema = undefined;
      return;
    }
    if (isServerBanner(text)) {
      this.flush(out);
      this.stage = "idle";
      return;
    }
    if (this.stage === "header") {
      if (text.startsWith("#")) {
        if (ADMIN_COMMAND.test(text)) this.admin = true;
        const t = THREAD_SCHEMA.exec(text);
        if (t !== null) {
          this.thread = t[1]!;
          if (t[2] !== undefined) this.schema = t[2] === "" ? null : t[2];
        }
        return;
      }
      const use = USE_LINE.exec(text);
      if (use !== null) {
        this.schema = unquote(use[1]!);
        return;
      }
      if (SET_TIMESTAMP.test(text)) {
        this.stage = "statement";
        return;
      }
    }
    if (this.stage === "header" || this.stage === "statement") {
      if (ADMIN_COMMAND.test(text)) this.admin = true;
      this.stage = "body";
      this.body = text;
      this.bodyLine = lineNo;
      return;
    }
    if (this.stage === "body") this.body += `\n${text}`;
  }

  end(out: LogEvent[]): void {
    this.flush(out);
  }

  timeRange() {
    return this.times.range();
  }

  private flush(out: LogEvent[]): void {
    if (this.stage === "body" && !this.admin) {
      const sql = this.body.replace(/;\s*$/, "");
      const hints: { -readonly [K in keyof SessionHints]: SessionHints[K] } = {};
      if (this.user !== undefined) hints.user = this.user;
      if (this.schema !== undefined) hints.schema = this.schema;
      if (this.clientAddress !== undefined) hints.clientAddress = this.clientAddress;
      out.push({ kind: "query", thread: this.thread, line: this.bodyLine, sql, hints });
    }
    this.stage = "idle";
    this.admin = false;
    this.body = "";
  }
}

function unquote(name: string): string {
  return name.startsWith("`") ? name.slice(1, -1).replaceAll("``", "`") : name;
}
