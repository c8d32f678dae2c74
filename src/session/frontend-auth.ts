import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { type SecureContext, TLSSocket } from "node:tls";
import {
  Capability,
  DEFAULT_COLLATION,
  NATIVE_PASSWORD_PLUGIN,
  ServerStatus,
} from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import {
  decodeClientHello,
  encodeAuthSwitchRequest,
  encodeHandshakeV10,
  type HandshakeResponse,
} from "../protocol/handshake.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { verifyScramble } from "../protocol/native-password.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { offeredCapabilities, unservableFlags } from "./capabilities.js";
import { type ClientInput, InputError } from "./client-input.js";
import type { CredentialStore } from "./credentials.js";
import { addressGate, admitUser, loginFailed } from "./login-rules.js";

export interface FrontendAuthOptions {
  readonly connectionId: number;
  readonly serverVersion: string;
  readonly capabilityMask: number;
  readonly credentials: CredentialStore;
  readonly tls: { readonly context: SecureContext; readonly required: boolean } | undefined;
  readonly timeoutMs: number;
  readonly clientHost: string;
}

export type AuthOutcome =
  | {
      readonly kind: "authenticated";
      readonly user: string;
      readonly stage1: Buffer;
      readonly capabilities: number;
      readonly collation: number;
      readonly database: string | undefined;
      readonly attributes: ReadonlyMap<string, string>;
      readonly seed: Buffer;
      readonly tls: boolean;
      /** sequence id for Sluice's next packet (the OK/ERR ending the login) */
      readonly nextSeq: number;
    }
  | {
      readonly kind: "rejected";
      readonly error: ClientError;
      readonly nextSeq: number;
      readonly reason: string;
    };

/** 20 printable seed bytes (no NUL, which some clients treat as a terminator). */
export function makeSeed(): Buffer {
  const raw = randomBytes(20);
  for (let i = 0; i < raw.length; i++) raw[i] = 33 + (raw[i]! % 94);
  return raw;
}

/**
 * The login exchange with a client (spec: "Connection Phase"): greeting, optional SSLRequest and
 * TLS upgrade, HandshakeResponse41, an AuthSwitchRequest to mysql_native_password when the client
 * started with another plugin, scramble check. Sends nothing after the check: the session sends
 * the final OK (or the backend's error) once it has a backend.
 */
export async function authenticateClient(
  socket: Socket,
  input: ClientInput,
  opts: FrontendAuthOptions,
): Promise<AuthOutcome> {
  // A blocked address gets its error instead of the greeting: no password is even checked.
  const gate = addressGate(opts.credentials, opts.clientHost);
  if (gate.kind === "refused") return reject(gate.error, 0, gate.reason);
  const seed = makeSeed();
  const offered = (offeredCapabilities(opts.tls !== undefined) & opts.capabilityMask) >>> 0;
  socket.write(
    encodePacket(
      0,
      encodeHandshakeV10({
        serverVersion: opts.serverVersion,
        connectionId: opts.connectionId,
        seed,
        capabilities: offered,
        collation: DEFAULT_COLLATION,
        status: ServerStatus.Autocommit,
        authPlugin: NATIVE_PASSWORD_PLUGIN,
      }),
    ).bytes,
  );
  let packet = await input.next(opts.timeoutMs);
  let hello = decodeClientHello(packet.payload);
  let tls = false;
  if (hello.kind === "ssl-request") {
    if (opts.tls === undefined) {
      return reject(
        MysqlErrors.handshakeError("client asked for TLS, which Sluice did not offer"),
        packet.lastSeq + 1,
        "ssl-not-offered",
      );
    }
    await upgrade(input, opts.tls.context, opts.timeoutMs);
    tls = true;
    packet = await input.next(opts.timeoutMs);
    hello = decodeClientHello(packet.payload);
    if (hello.kind !== "response") {
      return reject(
        MysqlErrors.handshakeError("second SSLRequest"),
        packet.lastSeq + 1,
        "double-ssl-request",
      );
    }
  }
  if (hello.kind !== "response") throw new Error("unreachable");
  const response: HandshakeResponse = hello.response;
  const unservable = unservableFlags(response.capabilities, offered);
  if (unservable !== undefined)
    return reject(MysqlErrors.handshakeError(unservable), packet.lastSeq + 1, "unoffered-flags");
  if (opts.tls?.required === true && !tls) {
    return reject(MysqlErrors.sslRequired(), packet.lastSeq + 1, "tls-required");
  }
  let nextSeq = packet.lastSeq + 1;
  let scramble = response.authResponse;
  const startedNative =
    response.authPlugin === undefined ||
    response.authPlugin === NATIVE_PASSWORD_PLUGIN ||
    response.authPlugin === "";
  if (!startedNative) {
    // Ask every such client, known user or not, so the exchange does not reveal which users exist.
    input.currentSocket.write(
      encodePacket(nextSeq, encodeAuthSwitchRequest(NATIVE_PASSWORD_PLUGIN, seed)).bytes,
    );
    const reply = await input.next(opts.timeoutMs);
    scramble = reply.payload;
    nextSeq = reply.lastSeq + 1;
  }
  const denied = MysqlErrors.accessDenied(response.user, opts.clientHost, scramble.length > 0);
  const user = opts.credentials.get(response.user);
  const stage1 = user === undefined ? undefined : verifyScramble(scramble, seed, user.stage2);
  if (user === undefined || stage1 === undefined) {
    loginFailed(opts.credentials, opts.clientHost);
    return reject(denied, nextSeq, user === undefined ? "unknown-user" : "wrong-password");
  }
  const admitted = admitUser(opts.credentials, user, {
    handle: input.currentSocket,
    tls,
    host: opts.clientHost,
  });
  if (admitted.kind === "refused") return reject(admitted.error, nextSeq, admitted.reason);
  opts.credentials.learn(user.name, stage1);
  return {
    kind: "authenticated",
    user: user.name,
    stage1,
    capabilities: (response.capabilities & offered) >>> 0,
    collation: response.collation,
    database: response.database,
    attributes: response.attributes,
    seed,
    tls,
    nextSeq,
  };
}

function reject(error: ClientError, nextSeq: number, reason: string): AuthOutcome {
  return { kind: "rejected", error, nextSeq, reason };
}

export function errPacket(seq: number, error: ClientError): Buffer {
  return encodePacket(seq, encodeErr(error)).bytes;
}

async function upgrade(input: ClientInput, context: SecureContext, timeoutMs: number): Promise<void> {
  const raw = input.currentSocket;
  input.detach();
  // Clients start the TLS handshake right after SSLRequest without waiting, so the ClientHello
  // may already sit in the framer: hand it back to the socket, where TLSSocket reads it first.
  const early = input.takeBuffered();
  raw.pause();
  if (early.length > 0) raw.unshift(early);
  const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new InputError({ kind: "timeout", ms: timeoutMs, partial: true }));
    }, timeoutMs);
    secure.once("secure", () => {
      clearTimeout(timer);
      resolve();
    });
    // a failed TLS handshake is the client's problem: end the connection like a close
    secure.once("error", () => {
      clearTimeout(timer);
      secure.destroy();
      reject(new InputError({ kind: "closed" }));
    });
  });
  input.switchSocket(secure);
}

/** True when the client may use LOAD DATA LOCAL (it negotiated the flag). */
export function allowsLocalInfile(capabilities: number): boolean {
  return (capabilities & Capability.LocalFiles) !== 0;
}
