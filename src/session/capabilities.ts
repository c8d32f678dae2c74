import { Capability } from "../protocol/constants.js";

/**
 * The capability flags Sluice offers clients. Every one is either implemented by Sluice itself
 * (auth, attributes, TLS, protocol 4.1, SESSION_TRACK: backends always track and Sluice strips the
 * session state for clients without it) or passed through to a backend opened with the same flag
 * (see PROFILE_FLAGS). Not offered: COMPRESS (Sluice frames raw bytes; compression would hide
 * packet boundaries), MariaDB extended capabilities (progress reports, bulk operations,
 * extended metadata), CAN_HANDLE_EXPIRED_PASSWORDS.
 */
export function offeredCapabilities(tls: boolean): number {
  const caps =
    Capability.LongPassword |
    Capability.FoundRows |
    Capability.LongFlag |
    Capability.ConnectWithDb |
    Capability.NoSchema |
    Capability.Odbc |
    Capability.LocalFiles |
    Capability.IgnoreSpace |
    Capability.Protocol41 |
    Capability.Interactive |
    Capability.IgnoreSigpipe |
    Capability.Transactions |
    Capability.SecureConnection |
    Capability.MultiStatements |
    Capability.MultiResults |
    Capability.PsMultiResults |
    Capability.PluginAuth |
    Capability.ConnectAttrs |
    Capability.PluginAuthLenencClientData |
    Capability.SessionTrack |
    Capability.DeprecateEof |
    (tls ? Capability.Ssl : 0);
  return caps >>> 0;
}

/**
 * Flags that change what the server sends or accepts after login, so a backend connection must
 * have been opened with exactly the client's value: they form part of the pool key.
 * DEPRECATE_EOF changes packet formats; MULTI_* decide whether the server accepts
 * multi-statements and may send multiple results; FOUND_ROWS changes affected-row counts;
 * LOCAL_FILES allows LOAD DATA LOCAL; IGNORE_SPACE changes parsing (sql_mode); INTERACTIVE picks
 * interactive_timeout; NO_SCHEMA/ODBC are kept for exactness.
 */
export const PROFILE_FLAGS =
  (Capability.FoundRows |
    Capability.NoSchema |
    Capability.Odbc |
    Capability.LocalFiles |
    Capability.IgnoreSpace |
    Capability.Interactive |
    Capability.MultiStatements |
    Capability.MultiResults |
    Capability.PsMultiResults |
    Capability.DeprecateEof) >>>
  0;

/**
 * Flags Sluice offers clients only when the primary has them: the pass-through ones, and
 * SESSION_TRACK, whose session state comes from the server (every backend connection is opened
 * with it, whatever the client negotiated; see src/pool/session-tracking.ts).
 */
export const SERVER_PROVIDED_FLAGS = (PROFILE_FLAGS | Capability.SessionTrack) >>> 0;

/** The backend-relevant part of what a client negotiated, plus its collation. */
export interface CapabilityProfile {
  readonly capabilities: number;
  readonly collation: number;
}

export function profileOf(negotiated: number, collation: number): CapabilityProfile {
  return { capabilities: (negotiated & PROFILE_FLAGS) >>> 0, collation };
}

export function profileKey(p: CapabilityProfile): string {
  return `${p.capabilities.toString(16)}/${p.collation}`;
}

export function parseProfileKey(key: string): CapabilityProfile {
  const [caps, collation] = key.split("/");
  return { capabilities: Number.parseInt(caps ?? "0", 16) >>> 0, collation: Number(collation ?? 45) };
}

/**
 * Why a client's HandshakeResponse cannot be served, judged by its flags against `offered`, or
 * undefined. A client that sets COMPRESS although Sluice did not offer it (PHP's mysqlnd does)
 * sends compressed frames from its first command on, which Sluice would read as garbage (the
 * client then sees "commands out of sync"): it is refused at login, saying why. libmariadb and
 * the `mariadb` CLI (`--compress`) drop the flag when it is not offered and connect uncompressed.
 */
export function unservableFlags(requested: number, offered: number): string | undefined {
  if ((requested & Capability.Compress & ~offered) !== 0)
    return "the client asked for the compressed protocol, which Sluice does not offer; connect without compression";
  return undefined;
}
