import { readSqlFile } from "../../sql-file/read-sql-file.js";
import type { LogEvent, LogParser } from "../log-event.js";

/** Text held before the statements read so far are handed on. */
const WINDOW_CHARS = 256 * 1024;

/**
 * A plain SQL file (`;`-separated, `DELIMITER` blocks), all in one session, read by the shared
 * SQL-file reader (src/sql-file). That reader takes a whole text, so lines are collected in a
 * window: once it holds enough, every statement but the last is emitted and the window restarts
 * at the last statement's line (which may still be incomplete), with the delimiter then in force
 * replayed as a `DELIMITER` line. Memory stays bounded by the window plus the longest statement.
 */
export class SqlFileParser implements LogParser {
  private lines: string[] = [];
  private chars = 0;
  /** line number of lines[0] in the file */
  private firstLine = 1;
  private delimiter = ";";

  constructor(private readonly windowChars = WINDOW_CHARS) {}

  line(text: string, lineNo: number, out: LogEvent[]): void {
    if (this.lines.length === 0) this.firstLine = lineNo;
    this.lines.push(text);
    this.chars += text.length + 1;
    if (this.chars >= this.windowChars) this.slide(out);
  }

  end(out: LogEvent[]): void {
    const { statements, shift } = this.read();
    for (const s of statements) this.emit(s.sql, s.line - shift, out);
    this.lines = [];
    this.chars = 0;
  }

  private read() {
    const prefix = this.delimiter === ";" ? [] : [`DELIMITER ${this.delimiter}`];
    const statements = readSqlFile([...prefix, ...this.lines].join("\n"));
    // file line = window line - shift
    return { statements, shift: prefix.length - (this.firstLine - 1) };
  }

  private slide(out: LogEvent[]): void {
    const { statements, shift } = this.read();
    const last = statements.at(-1);
    const prev = statements.at(-2);
    // the window can only restart at a line where no earlier statement ends
    if (last === undefined || prev === undefined || prev.endLine >= last.line) return;
    for (const s of statements.slice(0, -1)) this.emit(s.sql, s.line - shift, out);
    const keepFrom = last.line - shift; // file line where the kept text starts
    this.lines = this.lines.slice(keepFrom - this.firstLine);
    this.firstLine = keepFrom;
    this.chars = this.lines.reduce((n, l) => n + l.length + 1, 0);
    this.delimiter = last.delimiter;
  }

  private emit(sql: string, line: number, out: LogEvent[]): void {
    out.push({ kind: "query", thread: "1", line, sql });
  }
}
