import { Capability } from "../../src/protocol/constants.js";
import { decodeErr, decodeOk, type ErrPacket } from "../../src/protocol/generic-response.js";
import {
  isFinished,
  startTracking,
  type TrackerState,
  trackFrame,
} from "../../src/protocol/response-tracker.js";
import { u32 } from "../protocol/wire-builder.js";
import { nativeScramble, RawClient, seedOf } from "./proxy-raw-client.js";

/**
 * A raw-protocol session for comparing status flags and OK packets byte for byte, straight
 * against a server and through Sluice: login with chosen capability flags, then commands whose
 * responses are delimited by Sluice's response tracker (the packets themselves are the test's).
 */
export const BASE_CAPS =
  Capability.LongPassword |
  Capability.Protocol41 |
  Capability.SecureConnection |
  Capability.PluginAuth |
  Capability.Transactions |
  Capability.MultiResults |
  Capability.PsMultiResults |
  Capability.ConnectWithDb;

export interface RawResponse {
  readonly packets: Buffer[];
  readonly state: TrackerState;
  readonly error: ErrPacket | undefined;
  /** status flags of the closing OK/EOF */
  readonly status: number | undefined;
}

export class RawSession {
  private constructor(
    readonly client: RawClient,
    readonly id: number,
    readonly caps: number,
  ) {}

  static async open(
    host: string,
    port: number,
    user: string,
    password: string,
    database: string,
    caps: number,
    collation = 45,
  ): Promise<RawSession> {
    const client = await RawClient.open(host, port);
    const greeting = await client.read(30_000);
    if (greeting === undefined) throw new Error("no greeting");
    const versionEnd = greeting.payload.indexOf(0, 1);
    const id = greeting.payload.readUInt32LE(versionEnd + 1);
    const auth = nativeScramble(password, seedOf(greeting.payload));
    client.send(1, [
      ...u32(caps),
      ...u32(1 << 24),
      collation,
      ...new Array(23).fill(0),
      ...Buffer.from(`${user}\0`),
      auth.length,
      ...auth,
      ...Buffer.from(`${database}\0`),
      ...Buffer.from("mysql_native_password\0"),
    ]);
    const ok = await client.read(30_000);
    if (ok?.payload[0] !== 0)
      throw new Error(
        `login failed: ${ok?.payload.subarray(0, 3).toString("hex")}${ok?.payload.subarray(3).toString("latin1")}`,
      );
    return new RawSession(client, id, caps);
  }

  /** Sends one command (seq 0) and reads its whole response. */
  async command(payload: Buffer): Promise<RawResponse> {
    this.client.send(0, payload);
    let state = startTracking(payload[0] ?? 0, this.caps);
    const packets: Buffer[] = [];
    while (!isFinished(state)) {
      const p = await this.client.read(10_000);
      if (p === undefined) throw new Error(`connection closed after ${packets.length} packets`);
      packets.push(p.payload);
      state = trackFrame(state, { payload: p.payload, continues: false });
    }
    if (state.phase.kind === "violation") throw new Error(`protocol violation: ${state.phase.reason}`);
    return { packets, state, error: state.error, status: state.status };
  }

  query(sql: string): Promise<RawResponse> {
    return this.command(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, "utf8")]));
  }

  /** COM_PING's OK: its status flags. */
  async ping(): Promise<number> {
    const r = await this.command(Buffer.from([0x0e]));
    const ok = r.packets[0]!;
    if (ok[0] !== 0) throw new Error(`ping failed: ${decodeErr(ok).message}`);
    return decodeOk(ok).status;
  }

  /** COM_STMT_PREPARE; the statement id. */
  async prepare(sql: string): Promise<number> {
    const r = await this.command(Buffer.concat([Buffer.from([0x16]), Buffer.from(sql, "utf8")]));
    if (r.error !== undefined) throw new Error(`prepare failed: ${r.error.message}`);
    return r.state.prepared!.statementId;
  }

  /** COM_STMT_EXECUTE of a statement without parameters. */
  execute(id: number, flags = 0): Promise<RawResponse> {
    return this.command(Buffer.from([0x17, ...u32(id), flags, ...u32(1)]));
  }

  close(): void {
    this.client.close();
  }
}
