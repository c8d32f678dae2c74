import { Capability, ResponseHeader, ServerStatus } from "./constants.js";
import type { ClientError } from "./mysql-errors.js";
import { PayloadBuilder } from "./payload-builder.js";
import { PayloadReader } from "./payload-reader.js";

/** What routing needs from a closing OK or EOF: the status flags and the warning count. */
export interface StatusInfo {
  readonly status: number;
  readonly warnings: number;
}

export interface OkPacket extends StatusInfo {
  readonly kind: "ok";
  readonly affectedRows: number;
  readonly lastInsertId: number;
  readonly info: string;
}

export interface ErrPacket {
  readonly kind: "err";
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

/** OK packet (0x00, or 0xFE when it closes a result set under DEPRECATE_EOF). */
export function decodeOk(payload: Buffer): OkPacket {
  const r = new PayloadReader(payload, 1);
  const affectedRows = r.lenenc() ?? 0;
  const lastInsertId = r.lenenc() ?? 0;
  const status = r.remaining >= 2 ? r.u16() : 0;
  const warnings = r.remaining >= 2 ? r.u16() : 0;
  const info =
    r.remaining > 0 && (status & ServerStatus.SessionStateChanged) === 0 ? r.rest().toString() : "";
  return { kind: "ok", affectedRows, lastInsertId, status, warnings, info };
}

/** Classic EOF packet: 0xFE, warnings(2), status(2). */
export function decodeEof(payload: Buffer): StatusInfo {
  if (payload.length < 5) return { status: 0, warnings: 0 };
  return { warnings: payload.readUInt16LE(1), status: payload.readUInt16LE(3) };
}

/** Status of a result-closing packet: an OK in DEPRECATE_EOF mode, a classic EOF otherwise. */
export function decodeTerminator(payload: Buffer, deprecateEof: boolean): StatusInfo {
  return deprecateEof ? decodeOk(payload) : decodeEof(payload);
}

export function decodeErr(payload: Buffer): ErrPacket {
  const r = new PayloadReader(payload, 1);
  const errno = r.remaining >= 2 ? r.u16() : 0;
  let sqlState = "HY000";
  if (r.remaining > 0 && payload[r.offset] === 0x23 /* '#' */ && r.remaining >= 6) {
    r.u8();
    sqlState = r.bytes(5).toString("latin1");
  }
  return { kind: "err", errno, sqlState, message: r.rest().toString("utf8") };
}

export function encodeOk(options: {
  affectedRows?: number;
  lastInsertId?: number;
  status: number;
  warnings?: number;
  header?: number;
}): Buffer {
  return new PayloadBuilder()
    .u8(options.header ?? ResponseHeader.Ok)
    .lenenc(options.affectedRows ?? 0)
    .lenenc(options.lastInsertId ?? 0)
    .u16(options.status)
    .u16(options.warnings ?? 0)
    .build();
}

export function encodeEof(status: number, warnings = 0): Buffer {
  return new PayloadBuilder().u8(ResponseHeader.Eof).u16(warnings).u16(status).build();
}

export function encodeErr(error: ClientError | ErrPacket): Buffer {
  return new PayloadBuilder()
    .u8(ResponseHeader.Err)
    .u16(error.errno)
    .string("#")
    .string(error.sqlState.padEnd(5, "0").slice(0, 5))
    .string(error.message)
    .build();
}

/** The result-closing packet a client with these capabilities expects. */
export function encodeTerminator(capabilities: number, status: number, warnings = 0): Buffer {
  return (capabilities & Capability.DeprecateEof) !== 0
    ? encodeOk({ status, warnings, header: ResponseHeader.Eof })
    : encodeEof(status, warnings);
}
