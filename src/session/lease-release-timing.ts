import type { SessionRouter } from "../routing/session-router.js";
import type { LeaseHolder } from "./backend-lease.js";
import { QuietHold } from "./quiet-hold.js";
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
 * policy, after the courtesy hold for the next statement, or when the chooser says so without a
 * policy. The session's next command cancels whatever is pending.
 */
export class LeaseReleaseTiming {
  private releaseTimer: NodeJS.Timeout | undefined;
  private readonly hold = new QuietHold();

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

  /**
   * After a statement that left a hold (see SessionRouter.mayReleaseWhenQuiet): let go when quiet
   * (QuietHold: 1 s, or 50 ms when other sessions wait for a connection to the server).
   */
  whenQuiet(): void {
    const s = this.session;
    const router = s.router;
    const lease = s.leases.current;
    if (router === undefined || lease === undefined || this.releaseTimer !== undefined || this.hold.active)
      return;
    if (router.mayRelease() || !router.mayReleaseWhenQuiet()) return;
    const letGo = () => {
      if (s.busy || s.ended || s.router?.mayReleaseWhenQuiet() !== true) return;
      // what the hold kept (LAST_INSERT_ID(), ROW_COUNT()…) is gone: the router says so if asked
      s.router.holdLost();
      this.releaseNow();
    };
    this.hold.start(s.services.pool, lease.key.server, letGo, letGo);
  }

  cancel(): void {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.hold.cancel();
  }

  releaseNow(): void {
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
