/**
 * How long a session quiet after a statement whose results the next one may ask for
 * (LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS(), SHOW WARNINGS) keeps its backend connection.
 */
export const HOLD_RELEASE_MS = 1_000;

/**
 * …and after how long of quiet it gives the connection to a session waiting for one on the same
 * server (a full pool): an idle client must not make others queue for a whole second.
 */
export const HOLD_YIELD_AFTER_MS = 50;

/** The part of the pool a hold talks to (Pool.offerYield). */
export interface YieldingPool {
  offerYield(server: string, giveBack: () => void): () => void;
}

/**
 * The timers of one session's courtesy hold: after HOLD_YIELD_AFTER_MS of quiet the connection
 * is offered to the pool's waiters (`onYield` when one takes it), after HOLD_RELEASE_MS it goes
 * back anyway (`onRelease`). The session's next statement cancels it.
 */
export class QuietHold {
  private timer: NodeJS.Timeout | undefined;
  private withdraw: (() => void) | undefined;

  get active(): boolean {
    return this.timer !== undefined;
  }

  start(pool: YieldingPool, server: string, onRelease: () => void, onYield: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = setTimeout(() => {
        this.cancel();
        onRelease();
      }, HOLD_RELEASE_MS - HOLD_YIELD_AFTER_MS);
      this.timer.unref();
      const withdraw = pool.offerYield(server, () => {
        this.withdraw = undefined;
        this.cancel();
        onYield();
      });
      // taken at once (callers were waiting) or still on offer
      if (this.timer !== undefined) this.withdraw = withdraw;
    }, HOLD_YIELD_AFTER_MS);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const withdraw = this.withdraw;
    this.withdraw = undefined;
    withdraw?.();
  }
}
