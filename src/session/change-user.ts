import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { NATIVE_PASSWORD_PLUGIN } from "../protocol/constants.js";
import { decodeChangeUser, encodeAuthSwitchRequest } from "../protocol/handshake.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { verifyScramble } from "../protocol/native-password.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import type { ClientInput } from "./client-input.js";
import type { CredentialStore } from "./credentials.js";
import { addressGate, admitUser, loginFailed } from "./login-rules.js";

export type ChangeUserResult =
  | {
      readonly kind: "accepted";
      readonly user: string;
      readonly stage1: Buffer;
      readonly database: string | undefined;
      readonly collation: number | undefined;
      readonly nextSeq: number;
    }
  | { readonly kind: "rejected"; readonly error: ClientError; readonly nextSeq: number };

/**
 * COM_CHANGE_USER: the client scrambles with the seed of the original greeting (as mysql2 and
 * libmariadb do); a client that names another plugin gets an AuthSwitchRequest first.
 */
export async function changeUser(
  packet: Packet,
  ctx: {
    input: ClientInput;
    socket: Socket;
    seed: Buffer;
    capabilities: number;
    credentials: CredentialStore;
    clientHost: string;
  },
): Promise<ChangeUserResult> {
  const gate = addressGate(ctx.credentials, ctx.clientHost);
  if (gate.kind === "refused") return { kind: "rejected", error: gate.error, nextSeq: packet.lastSeq + 1 };
  const req = decodeChangeUser(packet.payload, ctx.capabilities);
  let scramble = req.authResponse;
  let nextSeq = packet.lastSeq + 1;
  if (req.authPlugin !== undefined && req.authPlugin !== "" && req.authPlugin !== NATIVE_PASSWORD_PLUGIN) {
    ctx.socket.write(encodePacket(nextSeq, encodeAuthSwitchRequest(NATIVE_PASSWORD_PLUGIN, ctx.seed)).bytes);
    const reply = await ctx.input.next();
    scramble = reply.payload;
    nextSeq = reply.lastSeq + 1;
  }
  const denied = MysqlErrors.accessDenied(req.user, ctx.clientHost, scramble.length > 0);
  const user = ctx.credentials.get(req.user);
  const stage1 = user === undefined ? undefined : verifyScramble(scramble, ctx.seed, user.stage2);
  if (user === undefined || stage1 === undefined) {
    loginFailed(ctx.credentials, ctx.clientHost);
    return { kind: "rejected", error: denied, nextSeq };
  }
  // The session's socket is the TLS socket after an upgrade (ClientInput.currentSocket).
  const admitted = admitUser(ctx.credentials, user, {
    handle: ctx.socket,
    tls: ctx.socket instanceof TLSSocket,
    host: ctx.clientHost,
  });
  if (admitted.kind === "refused") return { kind: "rejected", error: admitted.error, nextSeq };
  ctx.credentials.learn(user.name, stage1);
  return {
    kind: "accepted",
    user: user.name,
    stage1,
    database: req.database,
    collation: req.collation,
    nextSeq,
  };
}
