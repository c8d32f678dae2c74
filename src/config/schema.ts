import { MAX_STATEMENT_TIMEOUT_MS } from "../policy/check/timeouts.js";
import {
  boolean,
  type Decoder,
  integer,
  invalid,
  list,
  number,
  object,
  oneOf,
  optional,
  refine,
  required,
  scalarOr,
  string,
  withDefault,
} from "./decoders.js";
import { ConfigCode } from "./diagnostic.js";
import { existingFile, logDestination, orOff } from "./files.js";
import { hookEvents } from "./hook-events.js";
import { passwordFields, resolvePassword, resolveSecret } from "./secrets.js";
import {
  type AdminListenerConfig,
  type Credentials,
  cooperativeSettings,
  failoverModes,
  type HookSettings,
  type HttpListenerConfig,
  type ListenerConfig,
  type LoggingConfig,
  logLevels,
  type MonitorSettings,
  type PoolsConfig,
  type QueryLogConfig,
  type ServerConfig,
  type ServerTls,
  serverRoles,
  serverTlsModes,
  type UserConfig,
  type WorkersSetting,
} from "./types.js";

/** The decoders of each section; defaults live here, next to the key names, and in the example. */
const port = () => integer({ min: 1, max: 65535 });
const ms = (min = 1) => integer({ min, unit: " ms" });

/** monitor.failover_hold_ms under failover: auto: detection (3 checks) plus promotion, with room */
export const DEFAULT_FAILOVER_HOLD_MS = 10_000;

const listenerTls = object({
  certFile: required("cert_file", existingFile("certificate")),
  keyFile: required("key_file", existingFile("private key")),
  caFile: optional("ca_file", existingFile("CA bundle")),
});

export const listener: Decoder<ListenerConfig> = refine(
  object({
    name: optional("name", string()),
    host: withDefault("host", string(), "0.0.0.0"),
    port: required("port", port()),
    tls: optional("tls", listenerTls),
    requireTls: withDefault("require_tls", boolean(), false),
  }),
  (l, node, path, ctx) => {
    if (l.requireTls && l.tls === null) {
      ctx.report(
        ConfigCode.tlsIncomplete,
        ctx.nodeAt([...path, "require_tls"]) ?? node,
        [...path, "require_tls"],
        "require_tls needs TLS on this listener",
        "add tls: { cert_file: …, key_file: … }",
      );
      return invalid;
    }
    return { ...l, name: l.name ?? `${l.host}:${l.port}` };
  },
);

export const admin: Decoder<AdminListenerConfig> = refine(
  object({
    host: withDefault("host", string(), "127.0.0.1"),
    port: withDefault("port", port(), 6032),
    user: required("user", string()),
    ...passwordFields,
  }),
  (a, node, path, ctx) => {
    const password = resolvePassword(a, node, path, ctx, true);
    return password === invalid ? invalid : { host: a.host, port: a.port, user: a.user, password };
  },
);

export const http: Decoder<HttpListenerConfig> = object({
  host: withDefault("host", string(), "127.0.0.1"),
  port: withDefault("port", port(), 9104),
});

const serverTls: Decoder<ServerTls> = refine(
  object({
    mode: required("mode", oneOf(serverTlsModes)),
    caFile: optional("ca_file", existingFile("CA bundle")),
  }),
  (t, node, path, ctx) => {
    if (t.mode === "verify_ca" || t.mode === "verify_identity") {
      if (t.caFile === null) {
        ctx.report(
          ConfigCode.tlsIncomplete,
          node,
          [...path, "ca_file"],
          `mode ${t.mode} needs ca_file`,
          "the CA bundle that signed the server's certificate",
        );
        return invalid;
      }
      return { mode: t.mode, caFile: t.caFile };
    }
    if (t.caFile !== null) {
      ctx.report(
        ConfigCode.inconsistent,
        ctx.nodeAt([...path, "ca_file"]) ?? node,
        [...path, "ca_file"],
        `ca_file is not used with mode ${t.mode}`,
        "use mode verify_ca or verify_identity to check the server's certificate",
      );
      return invalid;
    }
    return { mode: t.mode };
  },
);

export const server: Decoder<ServerConfig> = object({
  name: required("name", string()),
  host: required("host", string()),
  port: withDefault("port", port(), 3306),
  role: withDefault("role", oneOf(serverRoles), "auto"),
  weight: withDefault("weight", integer({ min: 0, max: 1000 }), 1),
  tls: withDefault("tls", serverTls, { mode: "disabled" }),
});

export const user: Decoder<UserConfig> = refine(
  object({
    name: required("name", string()),
    ...passwordFields,
    maxConnections: optional("max_connections", integer({ min: 1 })),
    requireTls: withDefault("require_tls", boolean(), false),
  }),
  (u, node, path, ctx) => {
    const password = resolvePassword(u, node, path, ctx, true);
    if (password === invalid) return invalid;
    return { name: u.name, password, maxConnections: u.maxConnections, requireTls: u.requireTls };
  },
);

export const poolDefaults: PoolsConfig = {
  minIdle: 0,
  maxIdle: 10,
  maxPerServer: 100,
  queueTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  idleTimeoutMs: 60_000,
  multiplexing: true,
  statementTimeoutMs: null,
};

export const pools: Decoder<PoolsConfig> = refine(
  object({
    minIdle: withDefault("min_idle", integer({ min: 0 }), poolDefaults.minIdle),
    maxIdle: withDefault("max_idle", integer({ min: 0 }), poolDefaults.maxIdle),
    maxPerServer: withDefault("max_per_server", integer({ min: 1 }), poolDefaults.maxPerServer),
    queueTimeoutMs: withDefault("queue_timeout_ms", ms(0), poolDefaults.queueTimeoutMs),
    connectTimeoutMs: withDefault("connect_timeout_ms", ms(), poolDefaults.connectTimeoutMs),
    idleTimeoutMs: withDefault("idle_timeout_ms", ms(), poolDefaults.idleTimeoutMs),
    multiplexing: withDefault("multiplexing", boolean(), poolDefaults.multiplexing),
    statementTimeoutMs: withDefault(
      "statement_timeout_ms",
      orOff(integer({ min: 1, max: MAX_STATEMENT_TIMEOUT_MS, unit: " ms" })),
      poolDefaults.statementTimeoutMs,
    ),
  }),
  (p, node, path, ctx) => {
    let ok = true;
    if (p.minIdle > p.maxIdle) {
      ctx.report(
        ConfigCode.inconsistent,
        ctx.nodeAt([...path, "min_idle"]) ?? node,
        [...path, "min_idle"],
        `min_idle (${p.minIdle}) is more than max_idle (${p.maxIdle})`,
      );
      ok = false;
    }
    if (p.maxIdle > p.maxPerServer) {
      ctx.report(
        ConfigCode.inconsistent,
        ctx.nodeAt([...path, "max_idle"]) ?? node,
        [...path, "max_idle"],
        `max_idle (${p.maxIdle}) is more than max_per_server (${p.maxPerServer})`,
      );
      ok = false;
    }
    return ok ? p : invalid;
  },
);

const credentials: Decoder<Credentials> = refine(
  object({ user: required("user", string()), ...passwordFields }),
  (c, node, path, ctx) => {
    const password = resolveSecret(c, node, path, ctx);
    return password === invalid ? invalid : { user: c.user, password };
  },
);

export const monitor: Decoder<MonitorSettings> = refine(
  object({
    user: required("user", string()),
    ...passwordFields,
    replication: optional("replication", credentials),
    intervalMs: withDefault("interval_ms", ms(100), 1000),
    probeTimeoutMs: withDefault("probe_timeout_ms", ms(), 1000),
    maxLagSeconds: withDefault("max_lag_seconds", number({ min: 0, max: 86_400 }), 10),
    lagRecoverSeconds: withDefault("lag_recover_seconds", number({ min: 0, max: 86_400 }), 5),
    downAfter: withDefault("down_after", integer({ min: 1, max: 1000 }), 2),
    failAfter: withDefault("fail_after", integer({ min: 1, max: 1000 }), 3),
    grace: withDefault("grace", integer({ min: 1, max: 1000 }), 3),
    failover: withDefault("failover", oneOf(failoverModes), "manual"),
    cooperative: withDefault("cooperative", oneOf(cooperativeSettings), "majority_of_running"),
    failoverHoldMs: optional("failover_hold_ms", integer({ min: 0, max: 600_000, unit: " ms" })),
  }),
  (m, node, path, ctx) => {
    const password = resolveSecret(m, node, path, ctx);
    let ok = password !== invalid;
    if (m.lagRecoverSeconds > m.maxLagSeconds) {
      const at = [...path, "lag_recover_seconds"];
      ctx.report(
        ConfigCode.inconsistent,
        ctx.nodeAt(at) ?? node,
        at,
        `lag_recover_seconds (${m.lagRecoverSeconds}) is more than max_lag_seconds (${m.maxLagSeconds})`,
        "a lower threshold to come back is what keeps a replica from flapping in and out",
      );
      ok = false;
    }
    if (m.failover === "auto" && m.replication === null) {
      const at = [...path, "failover"];
      ctx.report(
        ConfigCode.inconsistent,
        ctx.nodeAt(at) ?? node,
        at,
        "failover: auto needs replication credentials",
        "add monitor.replication: { user: …, password_env: … } so replicas can be pointed at the new primary",
      );
      ok = false;
    }
    if (!ok || password === invalid) return invalid;
    const { passwordEnv: _e, passwordFile: _f, passwordHash: _h, user: monitorUser, ...rest } = m;
    // statements wait for a new primary only where one is coming by itself (failover: auto)
    const failoverHoldMs = m.failoverHoldMs ?? (m.failover === "auto" ? DEFAULT_FAILOVER_HOLD_MS : 0);
    return { ...rest, failoverHoldMs, credentials: { user: monitorUser, password } };
  },
);

const hookOn = scalarOr(
  refine(oneOf(["*", ...hookEvents]), (e) => [e]),
  list(oneOf(["*", ...hookEvents]), { min: 1, what: "event" }),
);

export const hook: Decoder<HookSettings> = object({
  on: required("on", hookOn, `an event such as failover, or "*" for all`),
  command: required(
    "command",
    list(string(), { min: 1, what: "argument" }),
    "an argv list, e.g. [/usr/local/bin/page-oncall, --team, db]",
  ),
  timeoutMs: withDefault("timeout_ms", ms(), 10_000),
});

const queryLogDefaults: QueryLogConfig = {
  enabled: true,
  slowMs: 1000,
  sampleRate: 0,
  full: false,
  redactLiterals: true,
  destination: { kind: "stdout" },
};

const queryLog: Decoder<QueryLogConfig> = object({
  enabled: withDefault("enabled", boolean(), queryLogDefaults.enabled),
  slowMs: withDefault("slow_ms", orOff(ms(0)), queryLogDefaults.slowMs),
  sampleRate: withDefault("sample_rate", number({ min: 0, max: 1 }), queryLogDefaults.sampleRate),
  full: withDefault("full", boolean(), queryLogDefaults.full),
  redactLiterals: withDefault("redact_literals", boolean(), queryLogDefaults.redactLiterals),
  destination: withDefault("destination", logDestination(), queryLogDefaults.destination),
});

export const loggingDefaults: LoggingConfig = {
  level: "info",
  destination: { kind: "stdout" },
  queryLog: queryLogDefaults,
};

export const logging: Decoder<LoggingConfig> = object({
  level: withDefault("level", oneOf(logLevels), loggingDefaults.level),
  destination: withDefault("destination", logDestination(), loggingDefaults.destination),
  queryLog: withDefault("query_log", queryLog, loggingDefaults.queryLog),
});

export const workers: Decoder<WorkersSetting> = scalarOr<WorkersSetting>(
  (node, path, ctx) => {
    if (node.toJSON() === "auto") return { kind: "auto" };
    if (typeof node.toJSON() === "string") {
      ctx.report(
        ConfigCode.notAllowed,
        node,
        path,
        "expected a number of workers (1–256) or auto",
        "e.g. workers: 4, or workers: auto for one per CPU core",
      );
      return invalid;
    }
    const n = integer({ min: 1, max: 256 })(node, path, ctx);
    return n === invalid ? invalid : { kind: "count", count: n };
  },
  (node, path, ctx) => {
    ctx.report(ConfigCode.wrongType, node, path, "expected a number of workers or auto");
    return invalid;
  },
);
