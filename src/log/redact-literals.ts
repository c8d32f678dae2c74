/**
 * Replaces the literals of a SQL text with `?` — strings, numbers, hex and bit literals — and drops
 * comments, so a logged statement shows its shape but no customer data. The query log prefers the
 * classifier's digest when the caller has one; this is the fallback for statements without one
 * (and it never needs to be a full tokenizer: it only has to never leak a literal).
 */
export function redactLiterals(sql: string): string {
  let out = "";
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? "";
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
      out += "?";
    } else if (c === "`") {
      const end = skipQuoted(sql, i, "`");
      out += sql.slice(i, end); // a quoted identifier is structure, not data
      i = end;
    } else if (
      (c === "x" || c === "X" || c === "b" || c === "B") &&
      next === "'" &&
      !isWordChar(sql[i - 1])
    ) {
      i = skipQuoted(sql, i + 1, "'");
      out += "?";
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
      out += " ";
    } else if ((c === "-" && next === "-" && /\s|^$/.test(sql[i + 2] ?? "")) || c === "#") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end;
    } else if (isDigit(c) && !isWordChar(sql[i - 1])) {
      const begin = i;
      i = skipNumber(sql, i);
      if (isWordChar(sql[i])) {
        // An identifier that starts with digits (e.g. 1abc) is not a number: keep it.
        while (i < n && isWordChar(sql[i])) i++;
        out += sql.slice(begin, i);
      } else out += "?";
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/\s+/g, " ").trim();
}

/** Index just past a quoted run starting at `start`, honouring backslash and doubled quotes. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "\\" && quote !== "`") i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

function skipNumber(sql: string, start: number): number {
  let i = start;
  if (sql[i] === "0" && (sql[i + 1] === "x" || sql[i + 1] === "X")) {
    i += 2;
    while (i < sql.length && /[0-9a-fA-F]/.test(sql[i]!)) i++;
    return i;
  }
  while (i < sql.length && (isDigit(sql[i]!) || sql[i] === ".")) i++;
  if ((sql[i] === "e" || sql[i] === "E") && /[-+\d]/.test(sql[i + 1] ?? "")) {
    i += 2;
    while (i < sql.length && isDigit(sql[i]!)) i++;
  }
  return i;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}
