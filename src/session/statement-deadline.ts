/** Something the deadline can cut off: a backend connection a statement is waiting on. */
export interface Cuttable {
  destroy(): void;
}

/**
 * The clock of a session's running statement (policy `timeout`, pool `statement_timeout`, config
 * default). One per session, with one Node timer that each statement re-arms: `refresh()` when the
 * limit is the one armed last (the usual case: no allocation per statement), a new timer only when
 * the limit changes. A timer left running after its statement ended fires once and does nothing.
 *
 * What expiry does depends on where the statement is. Whoever waits registers `stop`: the
 * forwarder while the response streams (answer the client, KILL QUERY, drain or drop the
 * connection), the routing while it takes a connection (answer the client at once). A connection
 * Sluice waits on for the statement (a pooled one's database selection, restoring session state,
 * a GTID wait) is `watch`ed and destroyed at expiry, which fails that wait; the caller sees
 * `expired` and answers with the timeout error.
 */
export class StatementDeadline {
  private timer: NodeJS.Timeout | undefined;
  private armedMs = 0;
  private running = false;
  private stopper: (() => void) | undefined;
  private waitingOn: Cuttable | undefined;
  /** the running statement's limit in ms (0: none) */
  limitMs = 0;
  /** the running statement ran out of time */
  expired = false;

  /** A statement starts with this limit (0: no limit). */
  start(ms: number): void {
    this.expired = false;
    this.stopper = undefined;
    this.waitingOn = undefined;
    this.limitMs = ms;
    this.running = ms > 0;
    if (!this.running) return;
    if (this.timer !== undefined && this.armedMs === ms) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.armedMs = ms;
    this.timer = setTimeout(this.fire, ms);
    this.timer.unref();
  }

  /** The statement ended (answered, failed or interrupted). */
  finish(): void {
    this.running = false;
    this.expired = false;
    this.stopper = undefined;
    this.waitingOn = undefined;
  }

  /** The forwarder streams the response: at expiry `stop` ends it (at once if already expired). */
  onExpiry(stop: () => void): void {
    if (this.expired) stop();
    else if (this.running) this.stopper = stop;
  }

  /** The response ended before the deadline. */
  clearExpiry(): void {
    this.stopper = undefined;
  }

  /** Sluice waits on `conn` for the statement; destroyed at expiry (at once if already expired). */
  watch(conn: Cuttable): void {
    if (this.expired) conn.destroy();
    else if (this.running) this.waitingOn = conn;
  }

  unwatch(): void {
    this.waitingOn = undefined;
  }

  /** Stops the timer for good (the session ended). */
  dispose(): void {
    this.finish();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    if (!this.running) return;
    this.running = false;
    this.expired = true;
    const stop = this.stopper;
    const waiting = this.waitingOn;
    this.stopper = undefined;
    this.waitingOn = undefined;
    stop?.();
    waiting?.destroy();
  };
}
