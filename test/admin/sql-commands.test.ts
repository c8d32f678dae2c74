import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAdminCommand } from "../../src/admin/sql-commands.js";

const parsed = (text: string) => {
  const r = parseAdminCommand(text);
  return r.kind === "ok" ? r.command : r;
};

describe("parseAdminCommand", () => {
  it.each([
    ["SHOW SERVERS", { kind: "show_servers" }],
    ["show pools;", { kind: "show_pools" }],
    ["  Show   Sessions  ", { kind: "show_sessions" }],
    ["SHOW RULES", { kind: "show_rules" }],
    ["SHOW POLICY ;", { kind: "show_policy" }],
    ["reload", { kind: "reload" }],
    ["help", { kind: "help" }],
    ["select @@version_comment limit 1", { kind: "version_comment" }],
    ["SHOW DIGESTS", { kind: "show_digests", orderBy: "total_ms", direction: "desc", limit: 100 }],
    [
      "show digests order by count",
      { kind: "show_digests", orderBy: "count", direction: "desc", limit: 100 },
    ],
    [
      "SHOW DIGESTS ORDER BY p99_ms ASC LIMIT 5",
      { kind: "show_digests", orderBy: "p99_ms", direction: "asc", limit: 5 },
    ],
    [
      "SHOW DIGESTS ORDER BY digest",
      { kind: "show_digests", orderBy: "digest", direction: "asc", limit: 100 },
    ],
    ["SHOW DIGESTS LIMIT 0", { kind: "show_digests", orderBy: "total_ms", direction: "desc", limit: 0 }],
    ["SET SERVER db2 MAINTENANCE", { kind: "set_server", server: "db2", state: "maintenance" }],
    ["set server `DB-2.east` drain", { kind: "set_server", server: "DB-2.east", state: "drain" }],
    ["SET SERVER 'online' ONLINE", { kind: "set_server", server: "online", state: "online" }],
    ["SWITCHOVER TO db3", { kind: "switchover", target: "db3" }],
    ['switchover to "db 3"', { kind: "switchover", target: "db 3" }],
    ["KILL SESSION 42", { kind: "kill_session", id: 42, scope: "connection" }],
    ["kill session 42 query;", { kind: "kill_session", id: 42, scope: "query" }],
  ])("%s", (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it.each([
    ["", "empty statement"],
    [
      "SHOW TABLES",
      /^unknown admin command "SHOW TABLES"; the admin interface accepts: SHOW SERVERS; SHOW POOLS;/,
    ],
    [
      "SHOW DIGESTS ORDER BY cuont",
      'cannot order digests by "cuont" (did you mean count?); columns: count, total_ms, avg_ms, min_ms, max_ms, p99_ms, rows, errors, first_seen, last_seen, digest',
    ],
    ["SHOW DIGESTS ORDER BY banana", /^cannot order digests by "banana"; columns:/],
    ["SHOW DIGESTS LIMIT ten", "syntax: SHOW DIGESTS … LIMIT n (a whole number)"],
    ["SHOW DIGESTS LIMIT 5 ORDER BY count", "syntax: SHOW DIGESTS [ORDER BY column [ASC|DESC]] [LIMIT n]"],
    ["SHOW DIGESTS ORDER count", "syntax: SHOW DIGESTS ORDER BY column [ASC|DESC] [LIMIT n]"],
    ["SET SERVER db2 OFFLINE", "syntax: SET SERVER name MAINTENANCE|ONLINE|DRAIN"],
    ["SET SERVER db2", "syntax: SET SERVER name MAINTENANCE|ONLINE|DRAIN"],
    ["SWITCHOVER db3", "syntax: SWITCHOVER TO name"],
    ["KILL SESSION abc", "syntax: KILL SESSION id [QUERY] (id: a number from SHOW SESSIONS)"],
    ["KILL 42", "syntax: KILL SESSION id [QUERY] (id: a number from SHOW SESSIONS)"],
    ["KILL SESSION 42 CONNECTION", "syntax: KILL SESSION id [QUERY] (id: a number from SHOW SESSIONS)"],
    ["SHOW SERVERS; SHOW POOLS", "one statement at a time, please"],
    ["SWITCHOVER TO 'db3", /^unterminated quote/],
  ])("rejects %j", (text, message) => {
    const r = parseAdminCommand(text);
    expect(r.kind).toBe("error");
    if (r.kind === "error") {
      if (typeof message === "string") expect(r.message).toBe(message);
      else expect(r.message).toMatch(message);
    }
  });

  it("treats keywords case-insensitively in any mix of cases", () => {
    const casing = (word: string) =>
      fc
        .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
        .map((up) => [...word].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(""));
    fc.assert(
      fc.property(
        casing("switchover"),
        casing("to"),
        casing("show"),
        casing("digests"),
        casing("limit"),
        (a, b, c, d, e) => {
          expect(parsed(`${a} ${b} db1`)).toEqual({ kind: "switchover", target: "db1" });
          expect(parsed(`${c} ${d} ${e} 7`)).toEqual({
            kind: "show_digests",
            orderBy: "total_ms",
            direction: "desc",
            limit: 7,
          });
        },
      ),
    );
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parseAdminCommand(text);
        expect(["ok", "error"]).toContain(r.kind);
      }),
    );
  });
});
