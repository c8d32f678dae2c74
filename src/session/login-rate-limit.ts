/**
 * Failed-login rate limiting per client address. After `maxFailures` failed logins (wrong
 * password, unknown user, a TLS-only user without TLS) from one address within `windowMs`, that
 * address is blocked for `blockMs`: its new connections get error 1129 before the greeting (as
 * MariaDB's max_connect_errors does, so no password is even checked) and its COM_CHANGE_USER
 * attempts are refused the same way. A successful login does not clear the count: with one valid
 * account an attacker could otherwise interleave logins to brute-force another account.
 *
 * Pure bookkeeping: the caller passes the clock. Memory is bounded: at most `maxTrackedHosts`
 * addresses are remembered (the least recently failing are forgotten first).
 */
export interface LoginRateLimitOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
  readonly maxTrackedHosts?: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimitOptions = {
  maxFailures: 20,
  windowMs: 60_000,
  blockMs: 60_000,
  maxTrackedHosts: 10_000,
};

export type LoginGate =
  | { readonly kind: "open" }
  | { readonly kind: "blocked"; readonly failures: number; readonly retryAfterMs: number };

interface HostRecord {
  /** times of failures inside the window, oldest first */
  failures: number[];
  blockedUntil: number;
}

export class LoginRateLimiter {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly maxTracked: number;

  constructor(private readonly options: LoginRateLimitOptions) {
    this.maxTracked = options.maxTrackedHosts ?? 10_000;
  }

  /** Whether `host` may try to log in now. */
  check(host: string, now: number): LoginGate {
    const record = this.hosts.get(host);
    if (record === undefined || record.blockedUntil <= now) return { kind: "open" };
    return { kind: "blocked", failures: this.options.maxFailures, retryAfterMs: record.blockedUntil - now };
  }

  /** Records one failed login; returns the gate for the next attempt. */
  recordFailure(host: string, now: number): LoginGate {
    let record = this.hosts.get(host);
    if (record === undefined) {
      record = { failures: [], blockedUntil: 0 };
    } else {
      this.hosts.delete(host); // re-inserted below: Map order doubles as least-recently-failed order
    }
    this.hosts.set(host, record);
    const since = now - this.options.windowMs;
    record.failures = record.failures.filter((t) => t > since);
    record.failures.push(now);
    if (record.failures.length >= this.options.maxFailures) {
      record.blockedUntil = now + this.options.blockMs;
      record.failures = [];
    }
    while (this.hosts.size > this.maxTracked) {
      const oldest = this.hosts.keys().next().value;
      if (oldest === undefined) break;
      this.hosts.delete(oldest);
    }
    return this.check(host, now);
  }

  /** Addresses currently remembered (for tests and metrics). */
  get trackedHosts(): number {
    return this.hosts.size;
  }
}
