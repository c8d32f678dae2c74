import { didYouMean } from "../config/did-you-mean.js";
import type { ActionOutcome, AdminActions, AdminSnapshot } from "./admin-snapshot.js";
import { sortDigests } from "./digests.js";
import { ADMIN_SYNTAX, type AdminCommand, parseAdminCommand } from "./sql-commands.js";

export type Cell = string | number | null;

export type AdminResult =
  | {
      readonly kind: "rows";
      readonly columns: readonly string[];
      readonly rows: readonly (readonly Cell[])[];
    }
  | { readonly kind: "ok"; readonly message: string }
  | { readonly kind: "error"; readonly code: number; readonly sqlState: string; readonly message: string };

/** A change the admin asked for, checked against the snapshot, for the runtime to perform. */
export type AdminAction =
  | { readonly kind: "reload" }
  | {
      readonly kind: "set_server";
      readonly server: string;
      readonly state: "maintenance" | "online" | "drain";
    }
  | { readonly kind: "switchover"; readonly target: string }
  | { readonly kind: "kill_session"; readonly id: number; readonly scope: "connection" | "query" };

/** MySQL error numbers the admin listener answers with (so clients show familiar errors). */
export const AdminErrno = {
  /** ER_PARSE_ERROR */
  parse: { code: 1064, sqlState: "42000" },
  /** ER_NO_SUCH_THREAD: KILL of a session that does not exist */
  noSuchSession: { code: 1094, sqlState: "HY000" },
  /** ER_UNKNOWN_ERROR: anything else, with the message saying what */
  other: { code: 1105, sqlState: "HY000" },
} as const;

const fail = (e: { code: number; sqlState: string }, message: string): AdminResult => ({
  kind: "error",
  ...e,
  message,
});

/**
 * Answers a command from a snapshot (pure). Read commands return rows; changes are validated
 * here (the server or session exists) and returned as an action for `performAdmin`.
 */
export function executeAdmin(
  command: AdminCommand,
  s: AdminSnapshot,
): AdminResult | { readonly kind: "action"; readonly action: AdminAction } {
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (command.kind) {
    case "show_servers":
      return rows(
        ["name", "host", "port", "role", "state", "lag_seconds", "weight", "busy", "idle", "last_error"],
        s.servers.map((v) => [
          v.name,
          v.host,
          v.port,
          v.role,
          v.state,
          v.lagSeconds,
          v.weight,
          v.connectionsBusy,
          v.connectionsIdle,
          v.lastError,
        ]),
      );
    case "show_pools":
      return rows(
        [
          "server",
          "user",
          "pools",
          "open",
          "idle",
          "leased",
          "opening",
          "waiting",
          "max",
          "opened_total",
          "closed_total",
          "waits_total",
          "wait_timeouts",
        ],
        [...s.pools]
          .sort((a, b) => compareText(a.server, b.server) || compareText(a.user, b.user))
          .map((p) => [
            p.server,
            p.user,
            p.pools.join(","),
            p.open,
            p.idle,
            p.leased,
            p.opening,
            p.waiting,
            p.max,
            p.openedTotal,
            p.closedTotal,
            p.waitsTotal,
            p.waitTimeouts,
          ]),
      );
    case "show_sessions":
      return rows(
        [
          "id",
          "user",
          "client",
          "listener",
          "db",
          "state",
          "in_transaction",
          "backend",
          "backend_thread",
          "pins",
          "statements",
          "connected_since",
          "idle_seconds",
          "statement",
          "statement_ms",
        ],
        [...s.sessions]
          .sort((a, b) => a.id - b.id)
          .map((x) => {
            const running = x.statementStartedAt !== null;
            return [
              x.id,
              x.user,
              x.client,
              x.listener,
              x.schema,
              x.state,
              x.inTransaction ? "yes" : "no",
              x.backend?.server ?? null,
              x.backend?.threadId ?? null,
              x.pins.join(","),
              x.statements,
              iso(x.connectedAt),
              running ? null : Math.floor((s.now - x.lastActivity) / 1000),
              x.statement,
              x.statementStartedAt === null ? null : Math.max(0, s.now - x.statementStartedAt),
            ];
          }),
      );
    case "show_rules":
      return rows(
        ["position", "rule", "action", "hits"],
        [...s.rules]
          .sort((a, b) => a.position - b.position)
          .map((r) => [r.position, r.name, r.action, r.hits]),
      );
    case "show_digests":
      return rows(
        [
          "fingerprint",
          "digest",
          "count",
          "total_ms",
          "avg_ms",
          "min_ms",
          "max_ms",
          "p99_ms",
          "rows",
          "errors",
          "first_seen",
          "last_seen",
          "pools",
        ],
        sortDigests(s.digests, command.orderBy, command.direction, command.limit).map((d) => [
          d.fingerprint,
          d.digest,
          d.count,
          round3(d.totalMs),
          round3(d.avgMs),
          round3(d.minMs),
          round3(d.maxMs),
          round3(d.p99Ms),
          d.rows,
          d.errors,
          iso(d.firstSeen),
          iso(d.lastSeen),
          d.pools.join(","),
        ]),
      );
    case "show_policy":
      if (s.policy === null) return fail(AdminErrno.other, "no policy is loaded yet");
      return rows(
        ["version", "hash", "loaded_at", "files", "source"],
        [
          [
            s.policy.version,
            s.policy.hash,
            iso(s.policy.loadedAt),
            s.policy.files.join(","),
            s.policy.source,
          ],
        ],
      );
    case "show_workers":
      if (s.workers === undefined)
        return fail(
          AdminErrno.other,
          "this Sluice runs as one process (sluice serve --workers N starts several)",
        );
      return rows(
        [
          "worker",
          "pid",
          "state",
          "clients",
          "policy_version",
          "policy_hash",
          "restarts",
          "started_at",
          "last_error",
        ],
        s.workers.map((w) => [
          w.worker,
          w.pid,
          w.state,
          w.clients,
          w.policyVersion,
          w.policyHash,
          w.restarts,
          w.startedAt === null ? null : iso(w.startedAt),
          w.lastError,
        ]),
      );
    case "version_comment":
      return rows(["@@version_comment"], [["Sluice admin interface (type HELP)"]]);
    case "help":
      return rows(
        ["command"],
        ADMIN_SYNTAX.map((c) => [c]),
      );
    case "reload":
      return { kind: "action", action: { kind: "reload" } };
    case "set_server": {
      const problem = unknownServer(command.server, s);
      return problem ?? { kind: "action", action: command };
    }
    case "switchover": {
      const problem = unknownServer(command.target, s);
      if (problem !== null) return problem;
      const target = s.servers.find((v) => v.name === command.target);
      if (target?.role === "primary")
        return fail(AdminErrno.other, `${command.target} is already the primary`);
      if (target?.state === "down")
        return fail(AdminErrno.other, `${command.target} is down; switch over to a reachable replica`);
      return { kind: "action", action: command };
    }
    case "kill_session":
      if (!s.sessions.some((x) => x.id === command.id)) {
        return fail(AdminErrno.noSuchSession, `no session ${command.id} (SHOW SESSIONS lists them)`);
      }
      return { kind: "action", action: command };
  }
}

/** Carries out a validated action through the runtime's implementation (the shell part). */
export async function performAdmin(action: AdminAction, actions: AdminActions): Promise<AdminResult> {
  switch (action.kind) {
    case "reload": {
      const r = await actions.reload();
      if (r.kind === "ok")
        return { kind: "ok", message: `reloaded: policy version ${r.version}, hash ${r.hash}` };
      return fail(
        AdminErrno.other,
        `reload failed, the running configuration stays:\n${r.diagnostics.join("\n")}`,
      );
    }
    case "set_server":
      return outcome(await actions.setServerState(action.server, action.state));
    case "switchover":
      return outcome(await actions.switchover(action.target));
    case "kill_session":
      return outcome(await actions.killSession(action.id, action.scope));
  }
}

/** Text in, result out: what the admin listener calls for each COM_QUERY. */
export async function runAdminStatement(
  text: string,
  snapshot: () => AdminSnapshot | Promise<AdminSnapshot>,
  actions: AdminActions,
): Promise<AdminResult> {
  const parsed = parseAdminCommand(text);
  if (parsed.kind === "error") return fail(AdminErrno.parse, parsed.message);
  const r = executeAdmin(parsed.command, await snapshot());
  return r.kind === "action" ? performAdmin(r.action, actions) : r;
}

function outcome(o: ActionOutcome): AdminResult {
  return o.kind === "ok" ? { kind: "ok", message: o.message } : fail(AdminErrno.other, o.message);
}

function rows(columns: readonly string[], data: readonly (readonly Cell[])[]): AdminResult {
  return { kind: "rows", columns, rows: data };
}

function unknownServer(name: string, s: AdminSnapshot): AdminResult | null {
  if (s.servers.some((v) => v.name === name)) return null;
  const near = didYouMean(
    name,
    s.servers.map((v) => v.name),
  );
  return fail(
    AdminErrno.other,
    `no server named "${name}"${near === null ? "" : ` (did you mean ${near}?)`}; SHOW SERVERS lists them`,
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
