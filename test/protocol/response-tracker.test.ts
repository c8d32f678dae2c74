import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Capability, Command, ServerStatus } from "../../src/protocol/constants.js";
import { Framer } from "../../src/protocol/framer.js";
import {
  infileSent,
  isFinished,
  startTracking,
  type TrackerState,
  trackFrame,
} from "../../src/protocol/response-tracker.js";
import {
  columnDefPayload,
  concatBytes,
  eofPayload,
  errPayload,
  lenenc,
  okPayload,
  packetBytes,
  resultSetPayloads,
  u16,
  u32,
} from "./wire-builder.js";

function stream(payloads: number[][], seq = 1): Buffer {
  const parts: Uint8Array[] = [];
  for (const p of payloads) {
    const { bytes, nextSeq } = packetBytes(seq, Uint8Array.from(p));
    parts.push(bytes);
    seq = nextSeq;
  }
  return concatBytes(parts);
}

/** Feeds a byte stream and returns after how many bytes the tracker said the response ended. */
function track(
  command: number,
  caps: number,
  bytes: Buffer,
  cursor = false,
): { state: TrackerState; consumed: number } {
  const framer = new Framer();
  framer.push(bytes);
  let state = startTracking(command, caps, cursor);
  let consumed = 0;
  for (let f = framer.next(); f !== undefined && !isFinished(state); f = framer.next()) {
    state = trackFrame(state, f);
    consumed += f.raw.length;
  }
  return { state, consumed };
}

const deprecate = Capability.DeprecateEof;
const rowArb = fc.array(fc.option(fc.string({ maxLength: 20 }), { nil: null }), {
  minLength: 3,
  maxLength: 3,
});

describe("response tracker", () => {
  it("ends a text result set exactly at its terminator, in both EOF modes, with trailing bytes ignored", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), fc.boolean(), (rows, dep) => {
        const status = ServerStatus.Autocommit;
        const body = stream(resultSetPayloads(["a", "b", "c"], rows, { deprecateEof: dep, status }));
        const trailing = stream([okPayload(0)], 99);
        const { state, consumed } = track(
          Command.Query,
          dep ? deprecate : 0,
          Buffer.concat([body, trailing]),
        );
        expect(state.phase.kind).toBe("done");
        expect(consumed).toBe(body.length);
        expect(state.status).toBe(status);
        expect(state.results).toBe(1);
      }),
    );
  });

  it("follows MORE_RESULTS_EXIST across result sets and OKs, and stops at an ERR", () => {
    const more = ServerStatus.MoreResultsExist | ServerStatus.Autocommit;
    const payloads = [
      ...resultSetPayloads(["x"], [["1"]], { deprecateEof: true, status: more }),
      okPayload(more, { affected: 3 }),
      ...resultSetPayloads(["y"], [["2"], ["3"]], { deprecateEof: true, status: ServerStatus.Autocommit }),
    ];
    const { state, consumed } = track(Command.Query, deprecate, stream(payloads));
    expect(state.phase.kind).toBe("done");
    expect(state.results).toBe(3);
    expect(consumed).toBe(stream(payloads).length);

    const withErr = [okPayload(more), errPayload(1146, "42S02", "Table 'x' doesn't exist")];
    const e = track(Command.Query, deprecate, stream(withErr));
    expect(e.state.error).toMatchObject({ errno: 1146, sqlState: "42S02" });
  });

  it("an ERR in the middle of rows ends the response", () => {
    const payloads = [
      lenenc(1),
      columnDefPayload("a"),
      [1, 0x31],
      errPayload(1317, "70100", "Query execution was interrupted"),
    ];
    const { state } = track(Command.Query, deprecate, stream(payloads));
    expect(state.error?.errno).toBe(1317);
  });

  it("a row whose first value is ≥16 MiB (first byte 0xFE) is a row, not a terminator", () => {
    const big = new Uint8Array(0x1000005).fill(0x62);
    const row = [...lenenc(big.length)];
    const rowPayload = new Uint8Array(row.length + big.length);
    rowPayload.set(row);
    rowPayload.set(big, row.length);
    expect(rowPayload[0]).toBe(0xfe);
    const head = stream([lenenc(1), columnDefPayload("b")]);
    const rowBytes = packetBytes(3, rowPayload);
    const tail = stream([okPayload(ServerStatus.Autocommit, { header: 0xfe })], rowBytes.nextSeq);
    const all = Buffer.concat([head, Buffer.from(rowBytes.bytes), tail]);
    const { state, consumed } = track(Command.Query, deprecate, all);
    expect(state.phase.kind).toBe("done");
    expect(consumed).toBe(all.length);
  });

  it("pauses at LOCAL INFILE and resumes for the final OK", () => {
    const req = stream([[0xfb, ...Buffer.from("/tmp/data.csv")]]);
    let { state } = track(Command.Query, deprecate, req);
    expect(state.phase.kind).toBe("infile");
    state = infileSent(state);
    const framer = new Framer();
    framer.push(stream([okPayload(ServerStatus.Autocommit, { affected: 10 })], 4));
    state = trackFrame(state, framer.next()!);
    expect(state.phase.kind).toBe("done");
  });

  it("reads COM_STMT_PREPARE_OK with parameter and column blocks", () => {
    for (const dep of [true, false]) {
      const prepOk = [0x00, ...u32(7), ...u16(2), ...u16(3), 0, ...u16(0)];
      const payloads = [prepOk, columnDefPayload("?"), columnDefPayload("?"), columnDefPayload("?")];
      if (!dep) payloads.push(eofPayload(2));
      payloads.push(columnDefPayload("a"), columnDefPayload("b"));
      if (!dep) payloads.push(eofPayload(2));
      const bytes = stream(payloads);
      const { state, consumed } = track(
        Command.StmtPrepare,
        dep ? deprecate : 0,
        Buffer.concat([bytes, stream([[0]])]),
      );
      expect(state.phase.kind).toBe("done");
      expect(state.prepared).toEqual({ statementId: 7, params: 3, columns: 2 });
      expect(consumed).toBe(bytes.length);
    }
  });

  it("ends an execute that opened a cursor after the metadata; a fetch ends at its terminator", () => {
    const payloads = [
      lenenc(1),
      columnDefPayload("a"),
      eofPayload(ServerStatus.CursorExists | ServerStatus.Autocommit),
    ];
    const { state } = track(Command.StmtExecute, 0, stream(payloads), true);
    expect(state.phase.kind).toBe("done");
    expect(state.status! & ServerStatus.CursorExists).toBeTruthy();
    // an execute that asked for no cursor reads its rows even with the flag set (MariaDB leaves it
    // set after a stored procedure's own cursor)
    const rows = [
      ...payloads,
      [0, 0, 1, 0x37],
      eofPayload(ServerStatus.CursorExists | ServerStatus.Autocommit),
    ];
    const plain = track(Command.StmtExecute, 0, stream(rows));
    expect(plain.state.phase.kind).toBe("done");
    expect(plain.consumed).toBe(stream(rows).length);
    const fetch = stream([[0, 0, 1, 0x31], [0, 0, 1, 0x32], eofPayload(ServerStatus.CursorExists)]);
    expect(track(Command.StmtFetch, 0, fetch).state.phase.kind).toBe("done");
  });

  it("commands without a response are done at once; single-packet commands after one packet", () => {
    expect(startTracking(Command.StmtClose, 0).phase.kind).toBe("done");
    expect(startTracking(Command.StmtSendLongData, 0).phase.kind).toBe("done");
    const stats = stream([[...Buffer.from("Uptime: 5  Threads: 1")]]);
    expect(track(Command.Statistics, 0, stats).state.phase.kind).toBe("done");
    expect(track(Command.SetOption, 0, stream([eofPayload(2)])).state.status).toBe(2);
  });

  it("flags garbage as a violation instead of throwing", () => {
    const { state } = track(Command.Query, deprecate, stream([[]]));
    expect(state.phase.kind).toBe("violation");
  });
});
