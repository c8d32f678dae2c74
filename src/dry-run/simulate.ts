/**
 * Replays log events as sessions: one session state per thread, evolved by the same reducer
 * `serve` uses (src/routing/session-state.ts), each statement decided by one or more policies in
 * the session as it stood before the statement ran. Pure: no I/O; the caller feeds events.
 *
 * With several deciders (`--diff`), the sessions are shared: only the pool each policy last sent
 * a thread to differs, so each decider keeps its own `previousPool` per thread.
 */
import type { Facts } from "../classifier/facts.js";
import type { SessionFacts } from "../policy/session-facts.js";
import {
  assumedResults,
  factsGivenResults,
  INITIAL_RESULTS,
  type SessionResults,
} from "../routing/session-results.js";
import {
  initialSessionState,
  nextSessionState,
  routingFacts,
  type SessionState,
  sessionFacts,
  withSchema,
} from "../routing/session-state.js";
import type { Decider, Outcome } from "./decider.js";
import type { LogEvent, SessionHints } from "./log-event.js";

/** Sessions held at once (a busy server has a few thousand connections open). */
export const MAX_SESSIONS = 100_000;

export type Classifier = (sql: string) => Facts;

export interface SimulationOptions {
  /** user of sessions whose Connect the log does not show */
  readonly defaultUser?: string;
  readonly defaultClientAddress?: string;
  readonly defaultSchema?: string | null;
}

/** One statement (a query, or a prepared statement's execution) and what each policy did. */
export interface StatementRecord {
  readonly thread: string;
  readonly line: number;
  readonly command: "query" | "execute";
  readonly sql: string;
  readonly facts: Facts;
  /** the session as the policy saw it (for the first decider) */
  readonly session: SessionFacts;
  /** one per decider, in the order given */
  readonly outcomes: readonly Outcome[];
}

interface Thread {
  state: SessionState;
  /** earlier statements' results, as serve would know them (session-results.ts) */
  results: SessionResults;
  /** per decider: the pool and the server the previous statement ran on */
  readonly previousPool: (string | null)[];
  readonly previousServer: (string | null)[];
  /** the first decider's session facts, reused while neither the state nor its pool changes */
  facts: SessionFacts | null;
}

export interface SimulationCounts {
  sessions: number;
  /** sessions that started before the log did (no Connect): user and database guessed */
  sessionsWithoutConnect: number;
  prepares: number;
  invalid: number;
}

export class Simulation {
  private readonly threads = new Map<string, Thread>();
  readonly counts: SimulationCounts = { sessions: 0, sessionsWithoutConnect: 0, prepares: 0, invalid: 0 };

  constructor(
    private readonly deciders: readonly Decider[],
    private readonly classify: Classifier,
    private readonly options: SimulationOptions = {},
  ) {}

  /** Advances the simulation by one event; returns the statement's record, or null for others. */
  step(event: LogEvent): StatementRecord | null {
    switch (event.kind) {
      case "connect":
        this.threads.delete(event.thread);
        this.remember(event.thread, this.newThread(event));
        this.counts.sessions++;
        return null;
      case "quit":
        // forget it: memory stays bounded by the sessions open at once, not by the log's length
        this.threads.delete(event.thread);
        return null;
      case "init_db": {
        const t = this.thread(event.thread);
        setState(t, withSchema(t.state, event.schema));
        return null;
      }
      case "prepare":
        this.thread(event.thread);
        this.counts.prepares++;
        return null;
      case "invalid":
        this.counts.invalid++;
        return null;
      case "query":
      case "execute":
        return this.statement(event.thread, event.line, event.kind, event.sql, event.hints);
    }
  }

  private statement(
    threadId: string,
    line: number,
    command: "query" | "execute",
    sql: string,
    hints: SessionHints | undefined,
  ): StatementRecord {
    const t = this.thread(threadId);
    if (hints !== undefined) setState(t, applyHints(t.state, hints));
    const facts = this.classify(sql);
    // an EXECUTE of a statement prepared from known text is routed as that statement
    // serve writes known LAST_INSERT_ID(), FOUND_ROWS()… into the statement, which may then go
    // anywhere; an EXECUTE's text cannot take them
    const known = facts.kind === "execute" ? facts : factsGivenResults(t.results, facts, sql);
    const routed = routingFacts(t.state, known, sql);
    const outcomes: Outcome[] = [];
    let firstSession: SessionFacts | null = null;
    for (let i = 0; i < this.deciders.length; i++) {
      const previousPool = t.previousPool[i] ?? null;
      let session: SessionFacts;
      if (i === 0 && t.facts !== null && t.facts.previousPool === previousPool) session = t.facts;
      else {
        session = sessionFacts(t.state, previousPool);
        if (i === 0) t.facts = session;
      }
      firstSession ??= session;
      const outcome = this.deciders[i]!(routed, t.state, session, t.previousServer[i] ?? null);
      outcomes.push(outcome);
      // deny and respond-rows run nothing: the connection in use stays what it was
      if (outcome.server !== null) {
        t.previousServer[i] = outcome.server;
        t.previousPool[i] = outcome.target;
      }
    }
    // a statement that ran nowhere (denied, answered by Sluice, no server) changed nothing; with
    // several policies, the first one's outcome is the one the session follows
    if (outcomes[0] === undefined || outcomes[0].server !== null) {
      setState(t, nextSessionState(t.state, facts));
      t.results = assumedResults(t.results, facts, sql);
    }
    return {
      thread: threadId,
      line,
      command,
      sql,
      facts,
      session: firstSession ?? sessionFacts(t.state),
      outcomes,
    };
  }

  private thread(id: string): Thread {
    let t = this.threads.get(id);
    if (t === undefined) {
      t = this.newThread(null);
      this.remember(id, t);
      this.counts.sessions++;
      this.counts.sessionsWithoutConnect++;
    }
    return t;
  }

  /**
   * Logs without Quit lines (the slow log, JSON lines) never say a session ended: past
   * MAX_SESSIONS, the session created longest ago is forgotten, so memory stays bounded.
   */
  private remember(id: string, t: Thread): void {
    if (this.threads.size >= MAX_SESSIONS) {
      const oldest = this.threads.keys().next();
      if (!oldest.done) this.threads.delete(oldest.value);
    }
    this.threads.set(id, t);
  }

  private newThread(connect: Extract<LogEvent, { kind: "connect" }> | null): Thread {
    const o = this.options;
    return {
      state: initialSessionState({
        user: connect?.user ?? o.defaultUser ?? "",
        clientAddress: connect?.clientAddress ?? o.defaultClientAddress ?? "",
        schema: connect ? connect.schema : (o.defaultSchema ?? null),
      }),
      results: INITIAL_RESULTS,
      previousPool: this.deciders.map(() => null),
      previousServer: this.deciders.map(() => null),
      facts: null,
    };
  }
}

function setState(t: Thread, state: SessionState): void {
  if (state === t.state) return;
  t.state = state;
  t.facts = null;
}

/** What the log itself says about the session wins over what we reconstructed. */
function applyHints(state: SessionState, h: SessionHints): SessionState {
  let s = state;
  if (h.user !== undefined && h.user !== s.user) s = { ...s, user: h.user };
  if (h.clientAddress !== undefined && h.clientAddress !== s.clientAddress)
    s = { ...s, clientAddress: h.clientAddress };
  if (h.schema !== undefined) s = withSchema(s, h.schema);
  if (h.autocommit !== undefined && h.autocommit !== s.autocommit) s = { ...s, autocommit: h.autocommit };
  if (h.inTransaction !== undefined && h.inTransaction !== s.inTransaction) {
    s = { ...s, inTransaction: h.inTransaction, readOnlyTransaction: false };
  }
  return s;
}
