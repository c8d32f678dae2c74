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

/** The first length-encoded string of a text row (0xFB is NULL). */
function firstText(row: Buffer): string | null {
  const first = row[0];
  if (first === undefined || first === 0xfb) return null;
  let length = first;
  let at = 1;
  if (first === 0xfc) {
    length = row.readUInt16LE(1);
    at = 3;
  } else if (first === 0xfd) {
    length = row.readUIntLE(1, 3);
    at = 4;
  }
  return row.toString("utf8", at, at + length);
}
