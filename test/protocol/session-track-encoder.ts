import type { SessionChange } from "../../src/protocol/session-track.js";
import { lenenc, lenencStr, u16 } from "./wire-builder.js";

/**
 * Test-only encoder of session-state blocks and OK packets with them, written from the spec
 * ("Session State Information") independently of src/protocol/session-track.ts.
 */
export function sessionStateBytes(changes: readonly SessionChange[]): number[] {
  const out: number[] = [];
  for (const c of changes) {
    let type: number;
    let data: number[];
    switch (c.kind) {
      case "system-variable":
        type = 0;
        data = [...lenencStr(c.name), ...lenencStr(c.value)];
        break;
      case "schema":
        type = 1;
        data = lenencStr(c.schema);
        break;
      case "state-change":
        type = 2;
        data = [c.changed ? 0x31 : 0x30];
        break;
      case "transaction-characteristics":
        type = 4;
        data = lenencStr(c.statement);
        break;
      case "transaction-state":
        type = 5;
        data = lenencStr(c.state);
        break;
      case "other":
        type = c.type;
        data = [...c.data];
        break;
    }
    out.push(type, ...lenenc(data.length), ...data);
  }
  return out;
}

/** An OK packet as a server sends it on a connection with CLIENT_SESSION_TRACK. */
export function trackedOkBytes(opts: {
  header?: number;
  affected?: number;
  insertId?: number;
  status: number;
  warnings?: number;
  info?: string;
  changes?: readonly SessionChange[];
}): number[] {
  const withState = opts.changes !== undefined;
  const status = withState ? opts.status | 0x4000 : opts.status;
  const head = [
    opts.header ?? 0x00,
    ...lenenc(opts.affected ?? 0),
    ...lenenc(opts.insertId ?? 0),
    ...u16(status),
    ...u16(opts.warnings ?? 0),
  ];
  const info = opts.info ?? "";
  if (!withState) return info === "" ? head : [...head, ...lenencStr(info)];
  const state = sessionStateBytes(opts.changes ?? []);
  return [...head, ...lenencStr(info), ...lenenc(state.length), ...state];
}

/** The same OK packet as the server sends it to a client without CLIENT_SESSION_TRACK. */
export function plainOkBytes(opts: {
  header?: number;
  affected?: number;
  insertId?: number;
  status: number;
  warnings?: number;
  info?: string;
}): number[] {
  const head = [
    opts.header ?? 0x00,
    ...lenenc(opts.affected ?? 0),
    ...lenenc(opts.insertId ?? 0),
    ...u16(opts.status & ~0x4000),
    ...u16(opts.warnings ?? 0),
  ];
  const info = opts.info ?? "";
  return info === "" ? head : [...head, ...lenencStr(info)];
}
