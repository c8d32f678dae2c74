import {
  type Counter,
  type CounterCell,
  type Gauge,
  type Histogram,
  type HistogramState,
  MetricsRegistry,
} from "./metrics.js";

/** The series one (pool, server) pair records into, kept so a statement builds no label key. */
interface StatementCells {
  readonly statements: CounterCell;
  readonly latency: HistogramState;
}

/** Statement latency buckets (seconds): 0.25 ms to 10 s, dense where a proxy's overhead shows. */
export const LATENCY_BUCKETS = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Pool wait buckets (seconds): a healthy pool answers in microseconds; waits show saturation. */
export const WAIT_BUCKETS = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

export type ServerState = "up" | "down" | "lagging" | "maintenance" | "draining";
export type ErrorOrigin = "server" | "proxy" | "policy" | "timeout";

/**
 * The metrics Sluice exports, behind named recording functions so that the runtime never spells a
 * metric name or label by hand. One instance per process (per worker); the admin HTTP listener
 * renders `registry`.
 */
export class SluiceMetrics {
  readonly registry = new MetricsRegistry();
  readonly #clientConnections: Gauge<"listener">;
  readonly #backendConnections: Gauge<"server" | "state">;
  readonly #serverState: Gauge<"server" | "state">;
  readonly #lag: Gauge<"server">;
  readonly #statements: Counter<"pool" | "server">;
  readonly #ruleHits: Counter<"rule">;
  readonly #latency: Histogram<"pool">;
  readonly #errors: Counter<"pool" | "origin">;
  readonly #poolWaits: Histogram<"server">;
  readonly #poolTimeouts: Counter<"server">;
  readonly #reloads: Counter<"result">;
  readonly #policy: Gauge<"version" | "hash">;
  /** pool → server → its series: once per statement, so no label objects or key strings */
  readonly #hot = new Map<string, Map<string, StatementCells>>();
  readonly #ruleCells = new Map<string, CounterCell>();

  constructor() {
    const r = this.registry;
    this.#clientConnections = r.gauge("sluice_client_connections", "Open client connections.", ["listener"]);
    this.#backendConnections = r.gauge(
      "sluice_backend_connections",
      "Open backend connections by server and state (busy or idle).",
      ["server", "state"],
    );
    this.#serverState = r.gauge(
      "sluice_server_state",
      "1 for the state each server is in (up, down, lagging, maintenance, draining).",
      ["server", "state"],
      "max",
    );
    this.#lag = r.gauge(
      "sluice_replication_lag_seconds",
      "Replication lag of each replica as the monitor last saw it.",
      ["server"],
      "max",
    );
    this.#statements = r.counter(
      "sluice_statements_total",
      "Statements forwarded, by pool and the server that ran them.",
      ["pool", "server"],
    );
    this.#ruleHits = r.counter("sluice_rule_hits_total", "Statements decided by each policy rule.", ["rule"]);
    this.#latency = r.histogram(
      "sluice_statement_duration_seconds",
      "Time from a statement's arrival to the end of its response.",
      ["pool"],
      LATENCY_BUCKETS,
    );
    this.#errors = r.counter(
      "sluice_statement_errors_total",
      "Statements that ended in an error, by pool and who raised it.",
      ["pool", "origin"],
    );
    this.#poolWaits = r.histogram(
      "sluice_pool_wait_seconds",
      "Time statements waited for a backend connection.",
      ["server"],
      WAIT_BUCKETS,
    );
    this.#poolTimeouts = r.counter(
      "sluice_pool_wait_timeouts_total",
      "Statements that gave up waiting for a backend connection.",
      ["server"],
    );
    this.#reloads = r.counter(
      "sluice_reloads_total",
      "Configuration and policy reloads, by result (ok or failed).",
      ["result"],
    );
    this.#policy = r.gauge(
      "sluice_policy_info",
      "The active policy: 1, labelled with its version and content hash.",
      ["version", "hash"],
      "max",
    );
  }

  clientConnections(listener: string, open: number): void {
    this.#clientConnections.set({ listener }, open);
  }

  backendConnections(server: string, busy: number, idle: number): void {
    this.#backendConnections.set({ server, state: "busy" }, busy);
    this.#backendConnections.set({ server, state: "idle" }, idle);
  }

  serverState(server: string, state: ServerState): void {
    for (const s of ["up", "down", "lagging", "maintenance", "draining"] as const) {
      this.#serverState.set({ server, state: s }, s === state ? 1 : 0);
    }
  }

  /** null = unknown (not a replica, or replication stopped): the series is removed, not zeroed. */
  replicationLag(server: string, seconds: number | null): void {
    if (seconds === null) this.#lag.remove({ server });
    else this.#lag.set({ server }, seconds);
  }

  /** A server removed by a reload: drop its series so dashboards do not show it as idle forever. */
  forgetServer(server: string): void {
    this.#backendConnections.remove({ server, state: "busy" });
    this.#backendConnections.remove({ server, state: "idle" });
    for (const s of ["up", "down", "lagging", "maintenance", "draining"] as const)
      this.#serverState.remove({ server, state: s });
    this.#lag.remove({ server });
  }

  /** One finished statement: counts, rule hit, latency, and the error if it failed. */
  statement(s: {
    pool: string;
    server: string;
    rule: string | null;
    seconds: number;
    error: ErrorOrigin | null;
  }): void {
    let byServer = this.#hot.get(s.pool);
    if (byServer === undefined) {
      byServer = new Map();
      this.#hot.set(s.pool, byServer);
    }
    let cells = byServer.get(s.server);
    if (cells === undefined) {
      cells = {
        statements: this.#statements.cell({ pool: s.pool, server: s.server }),
        latency: this.#latency.series({ pool: s.pool }),
      };
      byServer.set(s.server, cells);
    }
    cells.statements.value++;
    this.#latency.observeIn(cells.latency, s.seconds);
    if (s.rule !== null) {
      let hits = this.#ruleCells.get(s.rule);
      if (hits === undefined) {
        hits = this.#ruleHits.cell({ rule: s.rule });
        this.#ruleCells.set(s.rule, hits);
      }
      hits.value++;
    }
    if (s.error !== null) this.#errors.inc({ pool: s.pool, origin: s.error });
  }

  /** A statement refused before reaching any server (deny rule, no server available). */
  statementRefused(pool: string, rule: string | null, origin: ErrorOrigin): void {
    if (rule !== null) this.#ruleHits.inc({ rule });
    this.#errors.inc({ pool, origin });
  }

  poolWait(server: string, seconds: number, timedOut: boolean): void {
    this.#poolWaits.observe({ server }, seconds);
    if (timedOut) this.#poolTimeouts.inc({ server });
  }

  reload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? "ok" : "failed" });
  }

  activePolicy(version: string, hash: string): void {
    this.#policy.clear();
    this.#policy.set({ version, hash }, 1);
  }

  render(): string {
    return this.registry.render();
  }
}
