import type { SessionRouter } from "../routing/session-router.js";
import type { LeaseHolder } from "./backend-lease.js";
import { captureResults } from "./result-capture.js";
import type { SessionServices } from "./session-services.js";

/** What the release timing reads of its session, at the moment it decides (timers fire later). */
export interface ReleasingSession {
  readonly services: SessionServices;
  readonly leases: LeaseHolder;
  readonly busy: boolean;
  readonly ended: boolean;
  readonly inTransaction: boolean;
  readonly router: SessionRouter | undefined;
}

/**
 * When one session gives its backend connection back to the pool: after a quiet spell under a
 * policy (first reading off it the results only it has), or when the chooser says so without a
 * policy. The session's next command cancels whatever is pending, or waits for a read under way.
 */
export class LeaseReleaseTiming {
  private releaseTimer: NodeJS.Timeout | undefined;
  /** reading the results only the connection has, before it goes back (see result-capture.ts) */
  private capturing: Promise<void> | undefined;

  constructor(private readonly session: ReleasingSession) {}

  /**
   * Gives the connection back once the session has been quiet for the environment's
   * `releaseAfterMs`: a client sending statements back to back keeps its connection (no reset and
   * re-select per statement), an idle one frees it for others within milliseconds.
   */
  defer(): void {
    const after = this.session.services.routing?.releaseAfterMs ?? 0;
    this.cancel();
    if (after <= 0) {
      this.releaseNow();
      return;
    }
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      const s = this.session;
      if (!s.busy && !s.ended && s.router?.mayRelease() !== false) this.releaseNow();
    }, after);
    this.releaseTimer.unref();
  }

  cancel(): void {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  /** A release in progress still reads off the connection: the session's next command waits. */
  settled(): Promise<void> | undefined {
    return this.capturing;
  }

  releaseNow(): void {
    const s = this.session;
    const lease = s.leases.current;
    if (s.router !== undefined && lease !== undefined && s.router.captureQueries() !== null) {
      this.capturing = captureResults(s.router, lease.conn, s.services.counters).finally(() => {
        this.capturing = undefined;
        if (s.leases.current !== lease) return;
        // a command that came meanwhile keeps the connection (what was read stays true on it);
        // one still finishing lets it go when quiet again
        if (!s.busy) this.letGo();
        else if ((s.services.routing?.releaseAfterMs ?? 0) > 0) this.defer();
      });
      return;
    }
    this.letGo();
  }

  private letGo(): void {
    this.session.leases.release(!this.session.inTransaction);
    this.session.router?.disconnected();
  }

  /** Gives the connection back to the pool when the chooser says so and no transaction is open. */
  asChooserSays(command: number, status?: number): void {
    const s = this.session;
    const decision = s.services.chooser.afterResponse({
      command,
      status,
      inTransaction: s.inTransaction,
    });
    if (decision === "release" && !s.inTransaction) s.leases.release(true);
  }
}
