import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Capability, Command, ServerStatus } from "../../src/protocol/constants.js";
import { Framer } from "../../src/protocol/framer.js";
import { isFinished, isRowFrame, startTracking, trackFrame } from "../../src/protocol/response-tracker.js";
import {
  columnDefPayload,
  concatBytes,
  errPayload,
  lenenc,
  okPayload,
  packetBytes,
  resultSetPayloads,
} from "./wire-builder.js";

/** Rows counted by isRowFrame and the tracker's affected rows, as the forwarder sees a response. */
function count(caps: number, payloads: readonly Uint8Array[]): { rows: number; affected: number } {
  const parts: Uint8Array[] = [];
  let seq = 1;
  for (const p of payloads) {
    const { bytes, nextSeq } = packetBytes(seq, p);
    parts.push(bytes);
    seq = nextSeq;
  }
  const framer = new Framer();
  framer.push(concatBytes(parts));
  let state = startTracking(Command.Query, caps);
  let rows = 0;
  for (let f = framer.next(); f !== undefined && !isFinished(state); f = framer.next()) {
    if (isRowFrame(state, f)) rows++;
    state = trackFrame(state, f);
  }
  expect(isFinished(state)).toBe(true);
  return { rows, affected: state.affectedRows };
}

const bytes = (payloads: readonly number[][]) => payloads.map((p) => Uint8Array.from(p));
const rowArb = fc.array(fc.option(fc.string({ maxLength: 30 }), { nil: null }), {
  minLength: 2,
  maxLength: 2,
});

describe("counting rows without decoding them", () => {
  it("counts every row of a result set, in both EOF modes", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 40 }), fc.boolean(), (rows, dep) => {
        const payloads = resultSetPayloads(["a", "b"], rows, {
          deprecateEof: dep,
          status: ServerStatus.Autocommit,
        });
        expect(count(dep ? Capability.DeprecateEof : 0, bytes(payloads))).toEqual({
          rows: rows.length,
          affected: 0,
        });
      }),
    );
  });

  it("a row longer than one frame is one row", () => {
    const big = 0xffffff;
    const value = new Uint8Array(4 + big);
    value.set([0xfd, big & 0xff, (big >> 8) & 0xff, big >> 16]);
    value.fill(0x61, 4);
    const payloads = [
      ...bytes([lenenc(1), columnDefPayload("blob"), [1, 0x31]]),
      value,
      ...bytes([[1, 0x32], okPayload(ServerStatus.Autocommit, { header: 0xfe })]),
    ];
    expect(count(Capability.DeprecateEof, payloads)).toEqual({ rows: 3, affected: 0 });
  });

  it("adds up the affected rows of the OK packets of every result", () => {
    const more = ServerStatus.MoreResultsExist | ServerStatus.Autocommit;
    const payloads = [
      okPayload(more, { affected: 3 }),
      ...resultSetPayloads(["x"], [["1"], ["2"]], { deprecateEof: true, status: more }),
      okPayload(ServerStatus.Autocommit, { affected: 300 }),
    ];
    expect(count(Capability.DeprecateEof, bytes(payloads))).toEqual({ rows: 2, affected: 303 });
  });

  it("rows sent before an error are counted; the error adds none", () => {
    const payloads = [lenenc(1), columnDefPayload("a"), [1, 0x31], errPayload(1317, "70100", "interrupted")];
    expect(count(Capability.DeprecateEof, bytes(payloads))).toEqual({ rows: 1, affected: 0 });
  });
});
