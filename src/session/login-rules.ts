import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { CredentialStore, UserCredential } from "./credentials.js";
import type { ClosableHandle } from "./user-connections.js";

/**
 * The checks around a password check that both login paths (handshake and COM_CHANGE_USER)
 * share: the per-address failed-login limiter, TLS-only users and per-user connection limits.
 */
export type LoginVerdict =
  | { readonly kind: "admitted" }
  | { readonly kind: "refused"; readonly error: ClientError; readonly reason: string };

/** Refuses an address the limiter has blocked; checked before any password is looked at. */
export function addressGate(credentials: CredentialStore, host: string): LoginVerdict {
  const gate = credentials.limiter?.check(host, Date.now());
  if (gate === undefined || gate.kind === "open") return { kind: "admitted" };
  return {
    kind: "refused",
    error: MysqlErrors.hostBlocked(host, gate.failures, Math.ceil(gate.retryAfterMs / 1000)),
    reason: "host-blocked",
  };
}

/** Counts a failed login against the client's address. */
export function loginFailed(credentials: CredentialStore, host: string): void {
  credentials.limiter?.recordFailure(host, Date.now());
}

/**
 * After the password proved right: a TLS-only user without TLS gets the same 1045 as a wrong
 * password (MariaDB answers REQUIRE SSL accounts this way: the account rule is part of matching the
 * account, and a distinct error would tell a prober which accounts exist and how they are
 * protected; Sluice's log says why). 3159 stays for the global `tls.required`, which is a property
 * of the listener, not of an account. Then the per-user connection limit (1203), which claims a
 * slot for `handle` until it closes.
 */
export function admitUser(
  credentials: CredentialStore,
  user: UserCredential,
  ctx: { readonly handle: ClosableHandle; readonly tls: boolean; readonly host: string },
): LoginVerdict {
  if (user.requireTls && !ctx.tls) {
    loginFailed(credentials, ctx.host);
    return {
      kind: "refused",
      error: MysqlErrors.accessDenied(user.name, ctx.host, true),
      reason: "tls-required-for-user",
    };
  }
  if (!credentials.connections.claim(ctx.handle, user.name, user.maxConnections)) {
    return {
      kind: "refused",
      error: MysqlErrors.tooManyUserConnections(user.name),
      reason: "user-connection-limit",
    };
  }
  return { kind: "admitted" };
}
