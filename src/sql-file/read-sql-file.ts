/**
 * The SQL-file reader shared by `sluice classify` and `sluice dry-run`: splits a script the way the
 * mysql/mariadb command-line client does. Statements end at the current delimiter (`;` until a
 * `DELIMITER xx` line changes it) or at `\g` / `\G`, never inside strings, quoted identifiers or
 * comments. `DELIMITER` is a client command: it is consumed here and never reaches the server.
 * Comments stay in the statement text (they may hold routing hints and executable code).
 */
export interface SqlFileStatement {
  /** the statement text, without its delimiter, trimmed */
  readonly sql: string;
  /** 1-based line of the statement's first character */
  readonly line: number;
  /** 1-based line of its last character */
  readonly endLine: number;
  /** the delimiter in force when it was read */
  readonly delimiter: string;
  /** a quote or comment was still open at the end of the file */
  readonly unterminated: boolean;
}

export function readSqlFile(text: string): SqlFileStatement[] {
  const out: SqlFileStatement[] = [];
  const n = text.length;
  let delimiter = ";";
  let i = 0;
  let line = 1;
  let start = -1; // index of the statement's first non-blank character
  let startLine = 1;
  let sawCode = false; // the statement holds more than comments
  let quote = 0; // open quote char code, 0 when none
  let inBlockComment = false;

  const finish = (end: number, unterminated: boolean): void => {
    if (start !== -1 && sawCode) {
      const sql = text.slice(start, end).trim();
      const endLine = startLine + countNewlines(text, start, start + sql.length);
      if (sql.length > 0) out.push({ sql, line: startLine, endLine, delimiter, unterminated });
    }
    start = -1;
    sawCode = false;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (quote !== 0) {
      if (c === 92 && quote !== 96)
        i += text.charCodeAt(i + 1) === 10 ? 0 : 1; // backslash escape
      else if (c === quote) quote = 0;
      i++;
      continue;
    }
    if (inBlockComment) {
      if (c === 42 && text.charCodeAt(i + 1) === 47) {
        inBlockComment = false;
        i += 2;
      } else i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    // DELIMITER is recognised at the start of a statement, and runs to the end of its line
    if (start === -1 && isDelimiterCommand(text, i)) {
      let e = i + 9;
      while (e < n && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 9)) e++;
      let d = e;
      while (d < n && text.charCodeAt(d) > 32) d++;
      if (d > e) delimiter = text.slice(e, d);
      while (d < n && text.charCodeAt(d) !== 10) d++;
      i = d;
      continue;
    }
    if (start === -1) {
      start = i;
      startLine = line;
    }
    const next = text.charCodeAt(i + 1);
    if (c === 35 || (c === 45 && next === 45 && (i + 2 >= n || text.charCodeAt(i + 2) <= 32))) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && next === 42) {
      // /*! … */ and /*M! … */ are code the server runs; plain comments are not
      if (text.charCodeAt(i + 2) === 33 || (text.charCodeAt(i + 2) === 77 && text.charCodeAt(i + 3) === 33))
        sawCode = true;
      inBlockComment = true;
      i += 2;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      finish(i, false);
      i += delimiter.length;
      continue;
    }
    if (c === 92 && (next === 103 || next === 71)) {
      // \g and \G end a statement in the command-line client
      finish(i, false);
      i += 2;
      continue;
    }
    sawCode = true;
    if (c === 39 || c === 34 || c === 96) quote = c;
    i++;
  }
  finish(n, quote !== 0 || inBlockComment);
  return out;
}

function isDelimiterCommand(text: string, i: number): boolean {
  const word = "delimiter";
  if (text.length < i + word.length + 1) return false;
  for (let k = 0; k < word.length; k++) {
    if ((text.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  const after = text.charCodeAt(i + word.length);
  return after === 32 || after === 9;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) count++;
  return count;
}
