import type { BackendConnection } from "../pool/backend-connection.js";
import { Command } from "../protocol/constants.js";
import type { ErrPacket } from "../protocol/generic-response.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { isFinished, startTracking, trackFrame } from "../protocol/response-tracker.js";

export type ScalarResult =
  | { readonly kind: "value"; readonly value: string | null }
  | { readonly kind: "error"; readonly error: ErrPacket };

/**
 * Runs one of Sluice's own control queries (`SELECT @@last_gtid`, `SELECT MASTER_GTID_WAIT(…)`)
 * and reads the first column of its first row. Only Sluice's own statements are decoded this way;
 * client result sets are never decoded.
 */
export async function queryScalar(conn: BackendConnection, sql: string): Promise<ScalarResult> {
  const payload = Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
  conn.write(encodePacket(0, payload).bytes);
  let state = startTracking(Command.Query, conn.capabilities);
  let value: string | null | undefined;
  while (!isFinished(state)) {
    const before = state.phase.kind;
    const frame = await conn.nextFrame();
    state = trackFrame(state, frame);
    if (before === "rows" && state.phase.kind === "rows" && value === undefined)
      value = firstText(frame.payload);
  }
  if (state.error !== undefined) return { kind: "error", error: state.error };
  return { kind: "value", value: value ?? null };
}

export type RowsResult =
  | { readonly kind: "rows"; readonly rows: readonly (readonly (string | null)[])[] }
  | { readonly kind: "error"; readonly error: ErrPacket };

/** Runs one of Sluice's own small queries (e.g. SHOW GLOBAL VARIABLES) and reads every text row. */
export async function queryRows(conn: BackendConnection, sql: string): Promise<RowsResult> {
  const payload = Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
  conn.write(encodePacket(0, payload).bytes);
  let state = startTracking(Command.Query, conn.capabilities);
  const rows: (string | null)[][] = [];
  while (!isFinished(state)) {
    const before = state.phase.kind;
    const frame = await conn.nextFrame();
    state = trackFrame(state, frame);
    if (before === "rows" && state.phase.kind === "rows") rows.push(rowTexts(frame.payload));
  }
  if (state.error !== undefined) return { kind: "error", error: state.error };
  return { kind: "rows", rows };
}

/** The first length-encoded string of a text row (0xFB is NULL). */
function firstText(row: Buffer): string | null {
  return lenencText(row, 0).value;
}

function rowTexts(row: Buffer): (string | null)[] {
  const out: (string | null)[] = [];
  for (let at = 0; at < row.length; ) {
    const { value, next } = lenencText(row, at);
    out.push(value);
    at = next;
  }
  return out;
}

/** The length-encoded string at `at` (0xFB is NULL) and where the next one starts. */
function lenencText(row: Buffer, at: number): { value: string | null; next: number } {
  const first = row[at];
  if (first === undefined || first === 0xfb) return { value: null, next: at + 1 };
  let length = first;
  let start = at + 1;
  if (first === 0xfc) {
    length = row.readUInt16LE(at + 1);
    start = at + 3;
  } else if (first === 0xfd) {
    length = row.readUIntLE(at + 1, 3);
    start = at + 4;
  }
  return { value: row.toString("utf8", start, start + length), next: start + length };
}

export type TypedRowsResult =
  | {
      readonly kind: "rows";
      /** MySQL column type of each column (its definition's type byte) */
      readonly types: readonly number[];
      /** each cell's bytes as the server sent them (null: SQL NULL) */
      readonly rows: readonly (readonly (Buffer | null)[])[];
    }
  | { readonly kind: "error"; readonly error: ErrPacket };

/** Runs one of Sluice's own queries and keeps the column types and the cells' raw bytes. */
export async function queryTypedRows(conn: BackendConnection, sql: string): Promise<TypedRowsResult> {
  const payload = Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);
  conn.write(encodePacket(0, payload).bytes);
  let state = startTracking(Command.Query, conn.capabilities);
  const types: number[] = [];
  const rows: (Buffer | null)[][] = [];
  while (!isFinished(state)) {
    const before = state.phase.kind;
    const frame = await conn.nextFrame();
    state = trackFrame(state, frame);
    if (before === "column-defs") types.push(columnType(frame.payload));
    else if (before === "rows" && state.phase.kind === "rows") rows.push(rowCells(frame.payload));
  }
  if (state.error !== undefined) return { kind: "error", error: state.error };
  return { kind: "rows", types, rows };
}

/** The type byte of a column definition: after six length-encoded strings and 0x0c, charset, length. */
function columnType(def: Buffer): number {
  let at = 0;
  for (let i = 0; i < 6; i++) at = lenencBytes(def, at).next;
  return def[at + 1 + 2 + 4] ?? 0;
}

function rowCells(row: Buffer): (Buffer | null)[] {
  const out: (Buffer | null)[] = [];
  for (let at = 0; at < row.length; ) {
    const { value, next } = lenencBytes(row, at);
    out.push(value);
    at = next;
  }
  return out;
}

function lenencBytes(buf: Buffer, at: number): { value: Buffer | null; next: number } {
  const first = buf[at];
  if (first === undefined || first === 0xfb) return { value: null, next: at + 1 };
  let length = first;
  let start = at + 1;
  if (first === 0xfc) {
    length = buf.readUInt16LE(at + 1);
    start = at + 3;
  } else if (first === 0xfd) {
    length = buf.readUIntLE(at + 1, 3);
    start = at + 4;
  } else if (first === 0xfe) {
    length = Number(buf.readBigUInt64LE(at + 1));
    start = at + 9;
  }
  return { value: buf.subarray(start, start + length), next: start + length };
}
