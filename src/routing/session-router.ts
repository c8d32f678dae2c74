import { classifyCached } from "../classifier/cache.js";
import type { Facts } from "../classifier/facts.js";
import { decide } from "../policy/compile/decide.js";
import type { SessionChange } from "../protocol/session-track.js";
import { heldResultsGoneError } from "./held-results.js";
import { heldAfter, heldCaptured, heldConnectionGone, heldNames, readsHeld } from "./held-user-variables.js";
import { type QueryPlan, type QueryStep, statementText } from "./query-step.js";
import { type KnownResults, substituteResults } from "./result-substitution.js";
import { route } from "./route.js";
import type { RoutingEnvironment } from "./routing-environment.js";
import { readServerReport, type ServerReport } from "./server-report.js";
import {
  afterStatementResults,
  CAPTURE_CONDITIONS_SQL,
  CAPTURE_SCALARS_SQL,
  type Condition,
  captured,
  connectionLost,
  INITIAL_RESULTS,
  isResultNeed,
  livesOn,
  needsConditions,
  othersLiveOn,
  type ResultReads,
  resultReads,
  type SessionResults,
  sluiceRanOn,
  withoutResultNeeds,
} from "./session-results.js";
import {
  failedSessionState,
  initialSessionState,
  isPinned,
  nextSessionState,
  routingFacts,
  type SessionStart,
  type SessionState,
  sessionFacts,
  withPreviousPool,
  withSchema,
} from "./session-state.js";
import type { StatementRecord } from "./statement-record.js";
import { statementTimeoutMs } from "./statement-timeout.js";
import { type PreparedUse, preparedUses, type SyncStep, syncPlan } from "./sync-plan.js";
import {
  afterFailedStatement,
  applyReportedVariables,
  applySessionEffects,
  connectionAfterStatement,
  connectionAfterSync,
  EMPTY_SYNC_STATE,
  type SyncState,
} from "./sync-state.js";
import { capturedAssignments, captureVariablesSql } from "./user-variable-capture.js";

/**
 * The routing brain of one client session, free of sockets: classify → decide → route → sync
 * plan, and after each statement, what the session's state became and whether its backend
 * connection may go back to the pool. `serve` drives it; its state reducer is the one dry-run uses.
 */
export class SessionRouter {
  private state: SessionState;
  /** the session-level state every backend it uses must have */
  private wanted: SyncState = EMPTY_SYNC_STATE;
  /** what the held connection has; null when the session holds none */
  private connection: { readonly server: string; sync: SyncState; readonly epoch: number } | null = null;
  /** counts the session's leases: results living on a connection name the lease they live on */
  private epoch = 0;
  /** LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT(), the diagnostics: where each lives (session-results.ts) */
  private results: SessionResults = INITIAL_RESULTS;
  /** the COM_QUERY payload of the statement being planned (its bytes as the client sent them) */
  private payload: Buffer | null = null;
  /** steps the statement being planned needs for the results it reads (SET last_insert_id) */
  private resultSync: SyncStep[] = [];
  /** how many sync steps the last syncFor gave (run on the connection before the statement) */
  private lastSyncSteps = 0;
  private lastWriteAt: number | null = null;
  private lastGtid: string | null = null;
  /** the server the last statement ran on, kept after the connection goes back to the pool */
  private previousServer: string | null = null;
  /** the prepared statements the statement being placed uses: its sync replays their PREPAREs */
  private preparedUses: readonly PreparedUse[] = [];

  constructor(
    private readonly env: RoutingEnvironment,
    start: SessionStart,
  ) {
    this.state = initialSessionState(start);
    if (start.schema !== null) this.wanted = { ...this.wanted, schema: start.schema };
  }

  get sessionState(): SessionState {
    return this.state;
  }

  get currentServer(): string | null {
    return this.connection?.server ?? null;
  }

  /** A connection was leased on `server`; it arrives with `schema` selected and nothing else. */
  connected(server: string, schema: string | null): void {
    // whatever only the previous connection had and nobody read off it is lost with it
    this.results = connectionLost(this.results, this.epoch);
    this.epoch++;
    this.connection = { server, sync: { ...EMPTY_SYNC_STATE, schema }, epoch: this.epoch };
    this.userVariablesGone();
  }

  /** The held connection went back to the pool or was lost. */
  disconnected(): void {
    this.results = connectionLost(this.results, this.epoch);
    this.connection = null;
    this.userVariablesGone();
  }

  /**
   * Sluice's own queries that read, off the held connection, the results only it has (see
   * session-results.ts), or null when it has none: run them before giving the connection up.
   */
  captureQueries(): {
    readonly scalars: string | null;
    readonly conditions: string | null;
    readonly variables: { readonly sql: string; readonly names: readonly string[] } | null;
  } | null {
    const c = this.connection;
    if (c === null) return null;
    const names = this.capturableVariables();
    const results = livesOn(this.results, c.epoch);
    if (!results && names.length === 0) return null;
    return {
      scalars: results ? CAPTURE_SCALARS_SQL : null,
      conditions: results && needsConditions(this.results, c.epoch) ? CAPTURE_CONDITIONS_SQL : null,
      variables: names.length === 0 ? null : { sql: captureVariablesSql(names), names },
    };
  }

  /** Held user variables of the held connection that can be read off it by name. */
  private capturableVariables(): readonly string[] {
    const held = this.state.heldUserVariables;
    if (this.connection === null || held === null || held.server !== this.connection.server) return [];
    return heldNames(held) ?? [];
  }

  /**
   * The held user variables read off the connection (name → literal; a missing name could not be
   * written as a literal and stays held): every connection gets them from now on.
   */
  capturedVariables(literals: ReadonlyMap<string, string>): void {
    if (literals.size === 0) return;
    const { sql, effects } = capturedAssignments(literals);
    this.wanted = applySessionEffects(this.wanted, effects, sql);
    // the connection they were read off has them already
    if (this.connection !== null)
      this.connection.sync = applySessionEffects(this.connection.sync, effects, sql);
    const held = heldCaptured(this.state.heldUserVariables, [...literals.keys()]);
    if (held !== this.state.heldUserVariables) this.state = { ...this.state, heldUserVariables: held };
  }

  /** What captureQueries read (null for a part that failed: that part is lost with the connection). */
  captured(scalars: readonly (string | null)[] | null, conditions: readonly Condition[] | null): void {
    const c = this.connection;
    if (c === null) return;
    this.results = sluiceRanOn(
      captured(this.results, c.epoch, scalars ?? [null, null, null], conditions),
      c.epoch,
    );
  }

  private userVariablesGone(): void {
    const held = heldConnectionGone(this.state.heldUserVariables);
    if (held !== this.state.heldUserVariables) this.state = { ...this.state, heldUserVariables: held };
  }

  /**
   * The connection has user variables no other one has and Sluice cannot read off it by name
   * (a procedure set some): it must not go back to the pool.
   */
  private holdsUserVariables(): boolean {
    const held = this.state.heldUserVariables;
    return held !== null && !held.gone && held.names === null;
  }

  /** Plans a COM_QUERY: earlier results it reads are written into its text where needed. */
  planQuery(sql: string, now: number, avoid?: ReadonlySet<string>, payload?: Buffer): QueryPlan {
    this.payload = payload ?? null;
    return this.plan(classifyCached(sql), sql, now, avoid, true);
  }

  /**
   * Plans a statement already classified (a prepared statement's EXECUTE uses its PREPARE's facts).
   * Its text cannot change, so it runs where the session's prepared statements pin it.
   */
  planFacts(classified: Facts, sql: string, now: number, avoid?: ReadonlySet<string>): QueryStep {
    const plan = this.plan(classified, sql, now, avoid, false);
    if (plan.kind === "capture") throw new Error("a statement that cannot be rewritten asked for a capture");
    return plan;
  }

  /** `canRewrite`: the statement goes as text, so earlier results it reads can be written into it. */
  private plan(
    classified: Facts,
    sql: string,
    now: number,
    avoid: ReadonlySet<string> | undefined,
    canRewrite: boolean,
  ): QueryPlan {
    let statementFacts = classified;
    /** the whole statement replaced (SHOW WARNINGS answered from read-off conditions) */
    let text: string | null = null;
    /** known results to write into the statement */
    let known: KnownResults | null = null;
    this.resultSync = [];
    // an EXECUTE's text names a prepared statement: its reads cannot be written into it
    const executes = !canRewrite || classified.kind === "execute";
    if (executes) {
      const prepared = routingFacts(this.state, classified, sql);
      const reads = resultReads(this.results, prepared, sql, this.connection?.epoch ?? null);
      const refused = this.preparedReads(reads, prepared, canRewrite);
      if (refused !== null) return refused;
    } else {
      const reads = resultReads(this.results, classified, sql, this.connection?.epoch ?? null);
      switch (reads.kind) {
        case "gone":
        case "unsupported":
          return { kind: "deny", rule: "(sluice)", ...heldResultsGoneError(reads.what, reads.kind) };
        case "rewrite":
          text = reads.sql;
          statementFacts = withoutResultNeeds(classified);
          break;
        case "substitute":
        case "stay": {
          known = reads.known;
          if (reads.kind === "substitute") statementFacts = withoutResultNeeds(classified);
          else if (this.mustLeaveHeld(classified)) return { kind: "capture" };
          break;
        }
        case "none":
          break;
      }
    }
    const facts = routingFacts(this.state, statementFacts, sql);
    // a write reading user variables held on a replica's connection: read them off, then move
    if (canRewrite && this.capturableVariables().length > 0 && readsHeld(this.state.heldUserVariables, facts))
      if (this.mustLeaveHeld(facts)) return { kind: "capture" };
    this.preparedUses = preparedUses(this.wanted, classified.digest);
    const policy = this.env.policy();
    const decision = decide(policy.tree, { facts, session: sessionFacts(this.state) });
    const plan = route(decision, facts, this.state, this.placement(), {
      pools: policy.pools,
      topology: this.env.topology(),
      load: (s) => this.env.load(s),
      cursors: (p) => this.env.cursor(p),
      now,
      causalTimeoutMs: this.env.causalTimeoutMs,
      ...(avoid === undefined ? {} : { avoid }),
    });
    this.env.onDecision?.(decision.rule, plan.kind, plan.kind === "forward" ? plan.pool : null);
    switch (plan.kind) {
      case "deny":
        return {
          kind: "deny",
          rule: plan.rule,
          code: plan.code,
          sqlstate: plan.sqlstate,
          message: plan.message,
        };
      case "unavailable":
        return { kind: "unavailable", rule: plan.rule, message: plan.message };
      case "respond": {
        const response = plan.action.response;
        if (response.kind !== "rows")
          return { kind: "unavailable", rule: plan.rule, message: "bad respond action" };
        const rows = response.rows.map((row) =>
          row.map((cell) => (cell.kind === "value" ? cell.value : this.sessionValue(cell.fact))),
        );
        return { kind: "respond", rule: plan.rule, columns: response.columns, rows };
      }
      case "forward":
        return {
          kind: "forward",
          server: plan.server,
          pool: plan.pool,
          rule: plan.rule,
          ...this.statementToSend(decision.action, sql, text, known),
          sync:
            plan.server === this.connection?.server
              ? [...syncPlan(this.wanted, this.connection.sync, this.preparedUses), ...this.resultSync]
              : [],
          waitGtid: plan.waitGtid,
          facts,
          timeoutMs: statementTimeoutMs(
            decision.action,
            plan.pool,
            policy.pools,
            this.env.statementTimeoutMs ?? 0,
          ),
        };
    }
  }

  /**
   * The time limit the policy gives `sql` when it runs where the session is (its rule's, else the
   * pool the rule names, else the default), without routing it: for the parts of a statement that
   * never choose a server (a binary-protocol PREPARE, COM_INIT_DB as `USE`). Counts no rule hit.
   */
  timeoutFor(statementFacts: Facts, sql: string): number {
    const facts = routingFacts(this.state, statementFacts, sql);
    const policy = this.env.policy();
    const decision = decide(policy.tree, { facts, session: sessionFacts(this.state) });
    return statementTimeoutMs(decision.action, null, policy.pools, this.env.statementTimeoutMs ?? 0);
  }

  /** The sync steps for a connection just leased on the planned server. */
  syncFor(server: string): SyncStep[] {
    const steps =
      this.connection?.server === server
        ? [...syncPlan(this.wanted, this.connection.sync, this.preparedUses), ...this.resultSync]
        : [];
    this.lastSyncSteps = steps.length;
    return steps;
  }

  /**
   * A prepared statement (SQL EXECUTE or binary protocol) that reads earlier results: the value
   * of LAST_INSERT_ID() can be given to its connection first (`SET last_insert_id`); the others
   * only where they live. Returns the plan when the statement cannot be served so, else null.
   */
  private preparedReads(reads: ResultReads, facts: Facts, canCapture: boolean): QueryPlan | null {
    const epoch = this.connection?.epoch ?? null;
    switch (reads.kind) {
      case "none":
        return null;
      case "gone":
      case "unsupported":
        return { kind: "deny", rule: "(sluice)", ...heldResultsGoneError(reads.what, reads.kind) };
      case "rewrite":
        return {
          kind: "deny",
          rule: "(sluice)",
          ...heldResultsGoneError("a prepared SHOW WARNINGS or SHOW ERRORS", "unsupported"),
        };
      case "stay":
      case "substitute": {
        const { lastInsertId, ...others } = reads.known;
        const epoch = this.connection?.epoch ?? null;
        if (Object.keys(others).length > 0 && !othersLiveOn(this.results, facts, epoch))
          return {
            kind: "deny",
            rule: "(sluice)",
            ...heldResultsGoneError(
              "a prepared statement reading FOUND_ROWS(), ROW_COUNT() or the warnings of statements that ran on another connection",
              "unsupported",
            ),
          };
        const lidLive = this.results.lastInsertId.at === "value" && this.results.lastInsertId.live === epoch;
        if (lastInsertId !== undefined && !lidLive)
          this.resultSync = [
            { kind: "query", sql: `SET @@session.last_insert_id = ${BigInt(lastInsertId)}`, reason: "set" },
          ];
        if (reads.kind !== "stay" || !this.mustLeaveHeld(facts)) return null;
        if (canCapture) return { kind: "capture" };
        return {
          kind: "deny",
          rule: "(sluice)",
          ...heldResultsGoneError(
            "a prepared write reading results that only a replica's connection has",
            "unsupported",
          ),
        };
      }
    }
  }

  /**
   * A sync step failed part way (a USE, a SET or a re-PREPARE in another database): what the
   * connection has is not known, so the next sync brings over everything, the database first.
   */
  syncFailed(): void {
    if (this.connection !== null) this.connection.sync = { ...EMPTY_SYNC_STATE, schema: UNKNOWN_SCHEMA };
  }

  /** The sync steps ran: the connection now has the session's state. */
  synced(): void {
    // Sluice's own statements on the connection (USE, SET, replays) changed its ROW_COUNT()
    if (this.connection !== null && this.lastSyncSteps > 0)
      this.results = sluiceRanOn(this.results, this.connection.epoch);
    if (this.connection !== null)
      this.connection.sync = connectionAfterSync(this.wanted, this.connection.sync, this.preparedUses);
  }

  /**
   * The statement ran (successfully or not). The server's status flags and session trackers are
   * the truth about the transaction, the database, variables set out of the classifier's sight
   * and the last GTID (they catch what a procedure or an EXECUTE did); the facts tell the rest.
   * Returns whether the connection may go back to the pool now.
   */
  afterStatement(
    facts: Facts,
    sql: string,
    pool: string | null,
    result: {
      readonly ok: boolean;
      readonly status: number | undefined;
      readonly warnings: number;
      /** the session-state changes the response's OK packets reported */
      readonly changes?: readonly SessionChange[];
      /** rows of the result set the response carried (undefined: unknown) */
      readonly rows?: number | null;
      /** affected rows of its final OK packet (undefined: unknown) */
      readonly affectedRows?: number | null;
      /** last_insert_id of its final OK packet (undefined: unknown) */
      readonly insertId?: number | null;
    },
    now: number,
  ): "keep" | "release" {
    if (this.connection !== null)
      this.results = afterStatementResults(
        this.results,
        facts,
        sql,
        {
          ok: result.ok,
          rows: result.rows ?? null,
          affectedRows: result.affectedRows ?? null,
          insertId: result.insertId ?? null,
          warnings: result.warnings,
        },
        this.connection.epoch,
      );
    this.preparedUses = [];
    if (result.ok) {
      this.state = nextSessionState(this.state, facts);
      this.wanted = applySessionEffects(
        this.wanted,
        facts.sessionEffects,
        sql,
        facts.preparedSql ?? null,
        result.changes,
      );
      if (this.connection !== null) {
        this.connection.sync = connectionAfterStatement(
          this.wanted,
          this.connection.sync,
          facts.sessionEffects,
        );
        const changed = result.changes?.some((c) => c.kind === "state-change" && c.changed) ?? false;
        const held = heldAfter(this.state.heldUserVariables, facts, this.connection.server, changed);
        if (held !== this.state.heldUserVariables) this.state = { ...this.state, heldUserVariables: held };
      }
      if (facts.writes) this.lastWriteAt = now;
    } else {
      this.state = failedSessionState(this.state, facts);
      this.wanted = afterFailedStatement(this.wanted, facts.sessionEffects);
    }
    if (result.status !== undefined) {
      const inTrans = (result.status & 0x0001) !== 0;
      const readOnly = (result.status & 0x2000) !== 0;
      if (inTrans !== this.state.inTransaction || (inTrans && readOnly !== this.state.readOnlyTransaction)) {
        this.state = { ...this.state, inTransaction: inTrans, readOnlyTransaction: inTrans && readOnly };
      }
    }
    if (result.changes !== undefined && result.changes.length > 0)
      this.applyReport(readServerReport(facts, result.changes));
    if (pool !== null) this.state = withPreviousPool(this.state, pool);
    this.previousServer = this.connection?.server ?? this.previousServer;
    return this.mayRelease() ? "release" : "keep";
  }

  /** COM_INIT_DB succeeded, or the server reported another default database (null: none). */
  schemaChanged(schema: string | null): void {
    this.state = withSchema(this.state, schema);
    this.wanted = { ...this.wanted, schema };
    if (this.connection !== null) this.connection.sync = { ...this.connection.sync, schema };
  }

  private applyReport(report: ServerReport): void {
    if (report.lastGtid !== null) this.lastGtid = report.lastGtid;
    if (report.schema !== undefined) this.schemaChanged(report.schema);
    let s = this.state;
    if (report.inTransaction !== undefined && report.inTransaction !== s.inTransaction)
      s = {
        ...s,
        inTransaction: report.inTransaction,
        readOnlyTransaction: report.inTransaction && s.readOnlyTransaction,
      };
    if (report.tablesLocked && !s.lockTables) s = { ...s, lockTables: true };
    if (report.autocommit !== undefined && report.autocommit !== s.autocommit)
      s = { ...s, autocommit: report.autocommit };
    this.state = s;
    if (report.variables.length > 0) {
      this.wanted = applyReportedVariables(this.wanted, report.variables);
      // the connection that ran the statement has them already
      if (this.connection !== null)
        this.connection.sync = connectionAfterStatement(this.wanted, this.connection.sync, []);
    }
  }

  /** COM_RESET_CONNECTION / COM_CHANGE_USER: the session starts over. */
  reset(start: SessionStart): void {
    this.state = initialSessionState(start);
    this.wanted = start.schema === null ? EMPTY_SYNC_STATE : { ...EMPTY_SYNC_STATE, schema: start.schema };
    if (this.connection !== null) this.connection.sync = this.wanted;
    // the server reset the connection's session: what it now answers lives there
    this.results =
      this.connection === null
        ? INITIAL_RESULTS
        : {
            lastInsertId: { at: "value", value: "0" },
            foundRows: { at: "connection", epoch: this.connection.epoch },
            rowCount: { at: "connection", epoch: this.connection.epoch },
            diagnostics: { at: "connection", epoch: this.connection.epoch },
          };
    this.lastWriteAt = null;
  }

  /** A binary-protocol statement was prepared on the held connection: it pins the session there. */
  preparedBinary(statementId: number): void {
    const name = `#${statementId}`;
    if (!this.state.preparedStatements.includes(name)) {
      this.state = { ...this.state, preparedStatements: [...this.state.preparedStatements, name] };
    }
  }

  /** COM_STMT_CLOSE: the pin lasts as long as some statement is open. */
  closedBinary(statementId: number): void {
    const name = `#${statementId}`;
    this.state = {
      ...this.state,
      preparedStatements: this.state.preparedStatements.filter((n) => n !== name),
    };
  }

  /** Records the GTID of the session's last write (`@@last_gtid` read after it, when not tracked). */
  wrote(gtid: string): void {
    this.lastGtid = gtid;
  }

  /**
   * Whether the statement just run may have committed a write whose GTID a causal read must wait
   * for: only asked when some pool of the policy reads causally, so other policies pay nothing.
   */
  needsGtidAfter(facts: Facts): boolean {
    if (this.state.inTransaction) return false;
    if (!facts.writes && facts.transaction?.kind !== "commit") return false;
    for (const pool of this.env.policy().pools.values()) if (pool.consistency.kind === "causal") return true;
    return false;
  }

  /** Reports a finished statement to the environment (metrics, digests). */
  record(record: StatementRecord): void {
    this.env.onStatement?.(record);
  }

  /**
   * How long this statement may still wait for a primary to take it (see
   * RoutingEnvironment.failoverHoldMs): never inside a transaction, whose work died with its server.
   */
  failoverHoldMs(): number {
    return this.state.inTransaction ? 0 : (this.env.failoverHoldMs ?? 0);
  }

  /** The causal wait failed or timed out: the read goes to the primary instead. */
  primaryServer(): string | null {
    return this.env.topology().primary;
  }

  /**
   * A read that failed before any byte reached the client may run again elsewhere: nothing of it
   * was seen, and outside a transaction and pins nothing ties the session to the failed server.
   */
  mayRetry(facts: Facts): boolean {
    return (
      !facts.writes &&
      facts.locking === "none" &&
      !this.state.inTransaction &&
      !isPinned(this.state) &&
      facts.sameConnection.length === 0 &&
      !readsHeld(this.state.heldUserVariables, facts)
    );
  }

  /**
   * The text to send (null: the client's own) and, when it is the client's bytes with known
   * results written in, those bytes: edited one byte per character, so text in a character set
   * other than UTF-8 reaches the server as the client sent it.
   */
  private statementToSend(
    action: Parameters<typeof statementText>[0],
    sql: string,
    whole: string | null,
    known: KnownResults | null,
  ): { readonly sql: string | null; readonly bytes: Buffer | null } {
    if (whole !== null) return { sql: rewritten(action, whole), bytes: null };
    if (known === null) return { sql: statementText(action, sql), bytes: null };
    const policyText = statementText(action, sql);
    if (policyText !== null || this.payload === null) {
      // a policy rewrite works on the decoded text: the values go into its result
      const base = policyText ?? sql;
      return { sql: substituteResults(base, known) ?? base, bytes: null };
    }
    const out = substituteResults(this.payload.toString("latin1", 1), known);
    if (out === null) return { sql: null, bytes: null };
    const bytes = Buffer.concat([this.payload.subarray(0, 1), Buffer.from(out, "latin1")]);
    return { sql: bytes.toString("utf8", 1), bytes };
  }

  /**
   * Whether the connection may go back to the pool. Earlier statements' results never keep it:
   * what only it has is read off it first (captureQueries).
   */
  mayRelease(): boolean {
    return (
      this.env.multiplexing &&
      !this.state.inTransaction &&
      !isPinned(this.state) &&
      !this.holdsUserVariables()
    );
  }

  /**
   * A statement that must run on the primary reads results only the held connection has, and that
   * connection cannot take it (a replica): they are read off it first, then the statement moves.
   */
  private mustLeaveHeld(facts: Facts): boolean {
    const c = this.connection;
    if (c === null || this.state.inTransaction || isPinned(this.state)) return false;
    if (!facts.writes && facts.locking === "none") return false;
    const server = this.env.topology().servers.find((s) => s.name === c.server);
    return server !== undefined && !server.acceptsWrites;
  }

  private placement() {
    return {
      current: this.connection?.server ?? null,
      previous: this.previousServer,
      lastWriteAt: this.lastWriteAt,
      lastGtid: this.lastGtid,
    };
  }

  private sessionValue(fact: "user" | "schema" | "client_address"): string | null {
    switch (fact) {
      case "user":
        return this.state.user;
      case "schema":
        return this.state.schema;
      case "client_address":
        return this.state.clientAddress;
    }
  }
}

/** No database is named this: a connection whose database Sluice does not know gets a USE. */
const UNKNOWN_SCHEMA = "\u0000unknown";

/** A policy rewrite applies to the statement with the values written in. */
function rewritten(action: Parameters<typeof statementText>[0], text: string): string {
  return statementText(action, text) ?? text;
}
