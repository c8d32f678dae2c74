import { BackendError } from "../pool/backend-socket.js";
import { PoolTimeoutError } from "../pool/pool-types.js";
import type { ErrPacket } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { PayloadError } from "../protocol/payload-reader.js";
import { InputError } from "./client-input.js";

/** A server's own ERR, passed to the client unchanged. */
export function fromServerError(err: ErrPacket): ClientError {
  return { kind: "client-error", errno: err.errno, sqlState: err.sqlState, message: err.message };
}

/** The one place where failures to get a backend connection become wire errors. */
export function acquireError(e: unknown, server: string): ClientError {
  if (e instanceof PoolTimeoutError) return MysqlErrors.poolTimeout(server, e.waitedMs);
  if (e instanceof BackendError && e.serverError !== undefined) return fromServerError(e.serverError);
  return MysqlErrors.backendUnavailable(server, e instanceof Error ? e.message : String(e));
}

/** How a session that stopped with `e` says goodbye: nothing, or one ERR packet and a log line. */
export type Farewell =
  | { readonly kind: "silent" }
  | {
      readonly kind: "reply";
      readonly seq: number;
      readonly error: ClientError;
      readonly level: "info" | "warn" | "error";
      readonly reason: string;
      /** counts as a client protocol error */
      readonly protocolError: boolean;
    };

export function farewellFor(e: unknown, loggedIn: boolean): Farewell {
  if (e instanceof InputError) {
    const f = e.failure;
    switch (f.kind) {
      case "closed":
        return { kind: "silent" };
      case "timeout":
        // Idle between commands is 4031; a packet started and not finished (or a login not
        // finished) is a read that timed out, 1159, as the server's net_read_timeout says.
        return {
          kind: "reply",
          seq: 0,
          error:
            loggedIn && !f.partial
              ? MysqlErrors.idleTimeout(Math.round(f.ms / 1000))
              : MysqlErrors.netReadTimeout(),
          level: "info",
          reason: f.partial
            ? `client stopped sending in the middle of a packet for ${f.ms} ms`
            : `client idle for ${f.ms} ms`,
          protocolError: false,
        };
      case "too-large":
        return {
          kind: "reply",
          seq: 1,
          error: MysqlErrors.packetTooLarge(f.size, f.limit),
          level: "warn",
          reason: `client packet of ${f.size} bytes exceeds ${f.limit}`,
          protocolError: true,
        };
      case "bad-sequence": {
        const reason = `frame out of sequence (expected ${f.expected}, got ${f.got})`;
        return {
          kind: "reply",
          seq: 0,
          error: MysqlErrors.malformedPacket(reason),
          level: "warn",
          reason,
          protocolError: true,
        };
      }
    }
  }
  if (e instanceof PayloadError) {
    return {
      kind: "reply",
      seq: 0,
      error: MysqlErrors.malformedPacket(e.message),
      level: "warn",
      reason: e.message,
      protocolError: true,
    };
  }
  const reason = e instanceof Error ? e.message : String(e);
  return {
    kind: "reply",
    seq: 0,
    error: MysqlErrors.malformedPacket(reason),
    level: "error",
    reason,
    protocolError: true,
  };
}
