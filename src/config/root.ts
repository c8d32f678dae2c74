import { isMap, isSeq } from "yaml";
import type { DecodeContext, Path } from "./decode-context.js";
import {
  type Decoded,
  type Decoder,
  integer,
  invalid,
  list,
  object,
  optional,
  refine,
  required,
  withDefault,
} from "./decoders.js";
import { ConfigCode, formatPath } from "./diagnostic.js";
import { existingFile } from "./files.js";
import {
  admin,
  hook,
  http,
  listener,
  logging,
  loggingDefaults,
  monitor,
  poolDefaults,
  pools,
  server,
  user,
  workers,
} from "./schema.js";
import type { SluiceConfig } from "./types.js";

/**
 * Checks, straight on the list's nodes, that names are unique and at most one server says
 * `role: primary` — before the items are decoded, so these are reported even when some other key
 * of an item is wrong (every error at once).
 */
function uniqueNames<T>(decode: Decoder<T[]>, what: string, primaryHint = false): Decoder<T[]> {
  return (node, path, ctx) => {
    let ok = true;
    if (isSeq(node)) {
      const first = new Map<string, number>();
      const primaries: number[] = [];
      node.items.forEach((item, i) => {
        if (!isMap(item)) return;
        const name = item.get("name");
        if (typeof name === "string") {
          const seen = first.get(name);
          if (seen === undefined) first.set(name, i);
          else {
            const at = [...path, i, "name"];
            ctx.report(
              ConfigCode.duplicateName,
              ctx.nodeAt(at),
              at,
              `${what} name "${name}" is already used by ${formatPath([...path, seen])}`,
              "names must be unique: admin commands, logs and metrics refer to them",
            );
            ok = false;
          }
        }
        if (primaryHint && item.get("role") === "primary") primaries.push(i);
      });
      for (const i of primaries.slice(1)) {
        const at = [...path, i, "role"];
        ctx.report(
          ConfigCode.roleConflict,
          ctx.nodeAt(at),
          at,
          `more than one server has role: primary (also ${formatPath([...path, primaries[0] ?? 0])})`,
          "give role: primary to one server at most; the monitor finds the real primary from read_only and replication status",
        );
        ok = false;
      }
    }
    const decoded = decode(node, path, ctx);
    return ok ? decoded : invalid;
  };
}

const servers = uniqueNames(list(server, { min: 1, what: "server" }), "server", true);

const rootObject = object({
  listeners: required(
    "listeners",
    uniqueNames(list(listener, { min: 1, what: "listener" }), "listener"),
    "where clients connect, e.g. listeners: [{ port: 3306 }]",
  ),
  admin: optional("admin", admin),
  http: optional("http", http),
  servers: required("servers", servers, "the primary and replicas Sluice forwards to"),
  users: required(
    "users",
    uniqueNames(list(user, { min: 1, what: "user" }), "user"),
    "the accounts clients log in with",
  ),
  pools: withDefault("pools", pools, poolDefaults),
  monitor: required("monitor", monitor, "the account the monitor checks servers with"),
  hooks: withDefault("hooks", list(hook), []),
  logging: withDefault("logging", logging, loggingDefaults),
  queryStats: withDefault(
    "query_stats",
    object({ maxDigests: withDefault("max_digests", integer({ min: 1, max: 1_000_000 }), 5000) }),
    { maxDigests: 5000 },
  ),
  policy: required(
    "policy",
    object({ files: required("files", list(existingFile("policy file"), { min: 1, what: "policy file" })) }),
    "policy: { files: [policies/default.policy] }",
  ),
  workers: withDefault("workers", workers, { kind: "count", count: 1 }),
  shutdown: withDefault(
    "shutdown",
    object({ drainTimeoutMs: withDefault("drain_timeout_ms", integer({ min: 0, unit: " ms" }), 30_000) }),
    { drainTimeoutMs: 30_000 },
  ),
});

const WILDCARD = new Set(["0.0.0.0", "::", ""]);

/** Checks that need the whole document: listening ports that would collide, TLS users without TLS. */
function crossChecks(
  c: Omit<SluiceConfig, "source">,
  _n: unknown,
  _path: Path,
  ctx: DecodeContext,
): Decoded<Omit<SluiceConfig, "source">> {
  let ok = true;
  const bound: { host: string; port: number; path: Path }[] = [];
  const claim = (host: string, port: number, path: Path) => {
    const clash = bound.find(
      (b) => b.port === port && (b.host === host || WILDCARD.has(b.host) || WILDCARD.has(host)),
    );
    if (clash !== undefined) {
      const at = [...path, "port"];
      ctx.report(
        ConfigCode.portConflict,
        ctx.nodeAt(at),
        at,
        `port ${port} is already used by ${formatPath(clash.path)}`,
        "every listener (clients, admin, http) needs its own port",
      );
      ok = false;
    } else bound.push({ host, port, path });
  };
  c.listeners.forEach((l, i) => {
    claim(l.host, l.port, ["listeners", i]);
  });
  if (c.admin !== null) claim(c.admin.host, c.admin.port, ["admin"]);
  if (c.http !== null) claim(c.http.host, c.http.port, ["http"]);
  if (!c.listeners.some((l) => l.tls !== null)) {
    c.users.forEach((u, i) => {
      if (!u.requireTls) return;
      const at = ["users", i, "require_tls"];
      ctx.report(
        ConfigCode.tlsIncomplete,
        ctx.nodeAt(at),
        at,
        `user "${u.name}" requires TLS but no listener offers it`,
        "add tls: { cert_file, key_file } to a listener",
      );
      ok = false;
    });
  }
  return ok ? c : invalid;
}

export const sluiceConfig: Decoder<Omit<SluiceConfig, "source">> = refine(rootObject, crossChecks);
