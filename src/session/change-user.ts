import type { Socket } from "node:net";
import { NATIVE_PASSWORD_PLUGIN } from "../protocol/constants.js";
import { decodeChangeUser, encodeAuthSwitchRequest } from "../protocol/handshake.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import { verifyScramble } from "../protocol/native-password.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import type { ClientInput } from "./client-input.js";
import type { CredentialStore } from "./credentials.js";

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
  if (user === undefined) return { kind: "rejected", error: denied, nextSeq };
  const stage1 = verifyScramble(scramble, ctx.seed, user.stage2);
  if (stage1 === undefined) return { kind: "rejected", error: denied, nextSeq };
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
