import { readFileSync } from "node:fs";
import { classify } from "../../classifier/classify.js";
import type { ClassifyContext } from "../../classifier/facts.js";
import { readSqlFile } from "../../sql-file/read-sql-file.js";
import type { Command } from "../command.js";

const USAGE = `Usage: sluice classify [options] [FILE | -]
       sluice classify [options] -e 'SQL'

Prints the classifier's facts as one JSON object per statement (JSON Lines). FILE is a SQL script
(';' separators, DELIMITER blocks, comments); '-' or no FILE reads standard input.

Options:
  -e, --execute SQL        classify this text instead of a file (a multi-statement text is split)
  --ansi-quotes            read "x" as an identifier (sql_mode ANSI_QUOTES)
  --no-backslash-escapes   read \\ in strings literally (sql_mode NO_BACKSLASH_ESCAPES)
  --server-version N       version for /*!NNNNN … */ comments (default 101100 = MariaDB 10.11)
  --mysql                  the server is MySQL: /*M! … */ comments are not executed
  -h, --help               show this help
`;

interface Options {
  readonly context: ClassifyContext;
  readonly source: { kind: "file"; path: string } | { kind: "stdin" } | { kind: "text"; sql: string };
}

function parseArgs(args: readonly string[]): Options | string {
  let ansiQuotes = false;
  let noBackslashEscapes = false;
  let serverVersion: number | undefined;
  let mariadb: boolean | undefined;
  let source: Options["source"] | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k] ?? "";
    if (a === "--ansi-quotes") ansiQuotes = true;
    else if (a === "--no-backslash-escapes") noBackslashEscapes = true;
    else if (a === "--mysql") mariadb = false;
    else if (a === "--server-version") {
      const v = Number(args[++k]);
      if (!Number.isInteger(v) || v < 0)
        return `--server-version needs a whole number such as 101100, got '${args[k] ?? ""}'`;
      serverVersion = v;
    } else if (a === "-e" || a === "--execute") {
      const sql = args[++k];
      if (sql === undefined) return `${a} needs the SQL text to classify`;
      source = { kind: "text", sql };
    } else if (a === "-") source = { kind: "stdin" };
    else if (a.startsWith("-")) return `unknown option '${a}'`;
    else if (source !== undefined) return `only one FILE may be given (got '${a}' as well)`;
    else source = { kind: "file", path: a };
  }
  return {
    context: { ansiQuotes, noBackslashEscapes, serverVersion, mariadb },
    source: source ?? { kind: "stdin" },
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export const classifyCommand: Command = {
  name: "classify",
  summary: "Print the classifier's facts for SQL statements",
  usage: USAGE,
  async run(args) {
    if (args.includes("-h") || args.includes("--help")) {
      process.stdout.write(USAGE);
      return 0;
    }
    const opts = parseArgs(args);
    if (typeof opts === "string") {
      process.stderr.write(`sluice classify: ${opts}\n\n${USAGE}`);
      return 2;
    }
    let text: string;
    try {
      text =
        opts.source.kind === "text"
          ? opts.source.sql
          : opts.source.kind === "stdin"
            ? await readStdin()
            : readFileSync(opts.source.path, "utf8");
    } catch (error) {
      const path = opts.source.kind === "file" ? opts.source.path : "stdin";
      process.stderr.write(`sluice classify: cannot read ${path}: ${(error as Error).message}\n`);
      return 1;
    }
    for (const s of readSqlFile(text)) {
      const facts = classify(s.sql, opts.context);
      const record = {
        line: s.line,
        sql: s.sql,
        ...facts,
        ...(s.unterminated ? { unterminated: true } : {}),
      };
      process.stdout.write(`${JSON.stringify(record)}\n`);
    }
    return 0;
  },
};
