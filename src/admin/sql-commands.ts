import { didYouMean } from "../config/did-you-mean.js";
import { type DigestColumn, digestColumns } from "./digests.js";

/**
 * The admin interface's statements, parsed into a discriminated union. Case-insensitive, a
 * trailing `;` allowed, names may be quoted with `, ' or ". Anything else is an error that says
 * what is accepted.
 */
export type AdminCommand =
  | { readonly kind: "show_servers" }
  | { readonly kind: "show_pools" }
  | { readonly kind: "show_sessions" }
  | { readonly kind: "show_rules" }
  | {
      readonly kind: "show_digests";
      readonly orderBy: DigestColumn;
      readonly direction: "asc" | "desc";
      readonly limit: number;
    }
  | { readonly kind: "show_policy" }
  | { readonly kind: "show_workers" }
  | { readonly kind: "reload" }
  | {
      readonly kind: "set_server";
      readonly server: string;
      readonly state: "maintenance" | "online" | "drain";
    }
  | { readonly kind: "switchover"; readonly target: string }
  /** `KILL SESSION n` ends the session; `KILL SESSION n QUERY` interrupts only its statement */
  | { readonly kind: "kill_session"; readonly id: number; readonly scope: "connection" | "query" }
  /** the `mariadb` CLI sends `select @@version_comment limit 1` on connect */
  | { readonly kind: "version_comment" }
  | { readonly kind: "help" };

export type AdminParse =
  | { readonly kind: "ok"; readonly command: AdminCommand }
  | { readonly kind: "error"; readonly message: string };

export const ADMIN_SYNTAX = [
  "SHOW SERVERS",
  "SHOW POOLS",
  "SHOW SESSIONS",
  "SHOW RULES",
  "SHOW DIGESTS [ORDER BY column [ASC|DESC]] [LIMIT n]",
  "SHOW POLICY",
  "SHOW WORKERS",
  "RELOAD",
  "SET SERVER name MAINTENANCE|ONLINE|DRAIN",
  "SWITCHOVER TO name",
  "KILL SESSION id [QUERY]",
  "HELP",
] as const;

/** SHOW DIGESTS without ORDER BY/LIMIT: the heaviest first, and not so many that a terminal drowns. */
export const DEFAULT_DIGEST_ORDER: DigestColumn = "total_ms";
export const DEFAULT_DIGEST_LIMIT = 100;

interface Token {
  readonly text: string;
  /** an unquoted word compares case-insensitively; a quoted name never is a keyword */
  readonly quoted: boolean;
}

const TOKEN = /`((?:[^`]|``)*)`|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^\s;`'"]+)|(;)|(\S)/gy;

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  const src = text.trim();
  let m: RegExpExecArray | null;
  for (;;) {
    while (TOKEN.lastIndex < src.length && /\s/.test(src[TOKEN.lastIndex] ?? "")) TOKEN.lastIndex++;
    if (TOKEN.lastIndex >= src.length) break;
    m = TOKEN.exec(src);
    if (m === null) break;
    const [, back, single, double, word, semi, stray] = m;
    if (stray !== undefined) return `unterminated quote at ${JSON.stringify(src.slice(m.index))}`;
    if (semi !== undefined) {
      if (src.slice(TOKEN.lastIndex).trim() !== "") return "one statement at a time, please";
      break;
    }
    if (word !== undefined) out.push({ text: word, quoted: false });
    else out.push({ text: back?.replace(/``/g, "`") ?? single ?? double ?? "", quoted: true });
  }
  return out;
}

export function parseAdminCommand(text: string): AdminParse {
  const tokens = tokenize(text);
  if (typeof tokens === "string") return { kind: "error", message: tokens };
  if (tokens.length === 0) return { kind: "error", message: "empty statement" };
  const words = tokens.map((t) => (t.quoted ? `\u0000${t.text}` : t.text.toUpperCase()));
  const is = (...expected: string[]) =>
    expected.length === words.length && expected.every((w, i) => words[i] === w);
  const ok = (command: AdminCommand): AdminParse => ({ kind: "ok", command });

  if (is("SHOW", "SERVERS")) return ok({ kind: "show_servers" });
  if (is("SHOW", "POOLS")) return ok({ kind: "show_pools" });
  if (is("SHOW", "SESSIONS")) return ok({ kind: "show_sessions" });
  if (is("SHOW", "RULES")) return ok({ kind: "show_rules" });
  if (is("SHOW", "POLICY")) return ok({ kind: "show_policy" });
  if (is("SHOW", "WORKERS")) return ok({ kind: "show_workers" });
  if (is("RELOAD")) return ok({ kind: "reload" });
  if (is("HELP")) return ok({ kind: "help" });
  if (is("SELECT", "@@VERSION_COMMENT", "LIMIT", "1") || is("SELECT", "@@VERSION_COMMENT"))
    return ok({ kind: "version_comment" });
  if (words[0] === "SHOW" && words[1] === "DIGESTS") return parseShowDigests(tokens.slice(2), words.slice(2));
  if (words[0] === "SET" && words[1] === "SERVER") {
    const name = tokens[2];
    const state = words[3];
    if (
      words.length !== 4 ||
      name === undefined ||
      (state !== "MAINTENANCE" && state !== "ONLINE" && state !== "DRAIN")
    ) {
      return syntax("SET SERVER name MAINTENANCE|ONLINE|DRAIN");
    }
    return ok({
      kind: "set_server",
      server: name.text,
      state: state === "MAINTENANCE" ? "maintenance" : state === "ONLINE" ? "online" : "drain",
    });
  }
  if (words[0] === "SWITCHOVER") {
    const name = tokens[2];
    if (words.length !== 3 || words[1] !== "TO" || name === undefined) return syntax("SWITCHOVER TO name");
    return ok({ kind: "switchover", target: name.text });
  }
  if (words[0] === "KILL") {
    const id = tokens[2];
    const query = words.length === 4 && words[3] === "QUERY";
    if (
      (words.length !== 3 && !query) ||
      words[1] !== "SESSION" ||
      id === undefined ||
      id.quoted ||
      !/^\d+$/.test(id.text)
    ) {
      return syntax("KILL SESSION id [QUERY] (id: a number from SHOW SESSIONS)");
    }
    return ok({ kind: "kill_session", id: Number(id.text), scope: query ? "query" : "connection" });
  }
  const shown = tokens.map((t) => t.text).join(" ");
  return {
    kind: "error",
    message: `unknown admin command "${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}"; the admin interface accepts: ${ADMIN_SYNTAX.join("; ")}`,
  };
}

function parseShowDigests(tokens: Token[], words: string[]): AdminParse {
  let orderBy = DEFAULT_DIGEST_ORDER;
  let direction: "asc" | "desc" = "desc";
  let limit = DEFAULT_DIGEST_LIMIT;
  let i = 0;
  if (words[i] === "ORDER") {
    if (words[i + 1] !== "BY") return syntax("SHOW DIGESTS ORDER BY column [ASC|DESC] [LIMIT n]");
    const col = tokens[i + 2]?.text.toLowerCase();
    if (col === undefined) return syntax("SHOW DIGESTS ORDER BY column");
    const known = digestColumns.find((c) => c === col);
    if (known === undefined) {
      const near = didYouMean(col, digestColumns);
      return {
        kind: "error",
        message: `cannot order digests by "${col}"${near === null ? "" : ` (did you mean ${near}?)`}; columns: ${digestColumns.join(", ")}`,
      };
    }
    orderBy = known;
    // Text sorts alphabetically by default; numbers largest first, as a "top" list wants.
    direction = known === "digest" ? "asc" : "desc";
    i += 3;
    if (words[i] === "ASC" || words[i] === "DESC") {
      direction = words[i] === "ASC" ? "asc" : "desc";
      i++;
    }
  }
  if (words[i] === "LIMIT") {
    const n = tokens[i + 1];
    if (n === undefined || n.quoted || !/^\d+$/.test(n.text))
      return syntax("SHOW DIGESTS … LIMIT n (a whole number)");
    limit = Number(n.text);
    i += 2;
  }
  if (i !== words.length) return syntax("SHOW DIGESTS [ORDER BY column [ASC|DESC]] [LIMIT n]");
  return { kind: "ok", command: { kind: "show_digests", orderBy, direction, limit } };
}

function syntax(form: string): AdminParse {
  return { kind: "error", message: `syntax: ${form}` };
}
