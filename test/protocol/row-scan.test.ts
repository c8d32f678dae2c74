import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Capability, Command } from "../../src/protocol/constants.js";
import { Framer } from "../../src/protocol/framer.js";
import { startTracking, type TrackerState, trackFrame } from "../../src/protocol/response-tracker.js";
import { scanRowFrames } from "../../src/protocol/row-scan.js";
import { frameBytes } from "./wire-builder.js";

/** A tracker already in the rows phase of a text result set. */
function rowsState(): TrackerState {
  let state = startTracking(Command.Query, Capability.DeprecateEof);
  state = trackFrame(state, { payload: Buffer.from([1]), continues: false });
  state = trackFrame(state, { payload: Buffer.from([3, 0x64, 0x65, 0x66]), continues: false });
  expect(state.phase.kind).toBe("rows");
  return state;
}

/** How many frames from the front the tracker passes without changing its state (the slow path). */
function rowsByTracker(bytes: Buffer): { rows: number; consumed: number; lastSeq: number } {
  const framer = new Framer();
  framer.push(bytes);
  const state = rowsState();
  let rows = 0;
  let lastSeq = -1;
  for (let f = framer.next(); f !== undefined; f = framer.next()) {
    if (trackFrame(state, f) !== state || f.continues) break;
    rows++;
    lastSeq = f.seq;
  }
  let consumed = 0;
  const again = new Framer();
  again.push(bytes);
  for (let i = 0; i < rows; i++) consumed += again.next()!.raw.length;
  return { rows, consumed, lastSeq };
}

const frameArb = fc.oneof(
  // rows: text rows start with a length or 0xFB (NULL), binary rows with 0x00
  fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((p) => p[0] !== 0xfe && p[0] !== 0xff),
  fc.constant(Uint8Array.from([0xfe, 0, 0, 0x02, 0, 0, 0])), // terminator (OK with 0xFE)
  fc.constant(Uint8Array.from([0xff, 0x15, 0x04, 0x23, 0x34, 0x32, 0x30, 0x30, 0x30])), // ERR
  fc.constant(Uint8Array.from([])), // empty frame: invalid in a result set
);

describe("scanRowFrames", () => {
  it("skips exactly the frames the response tracker would pass unchanged, however the bytes are cut", () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 30 }),
        fc.nat(),
        fc.nat({ max: 300 }),
        (payloads, cut, lead) => {
          const frames = payloads.map((p, i) => Buffer.from(frameBytes(i + 1, p)));
          const whole = Buffer.concat(frames);
          // the scan starts inside a bigger buffer and sees only a received prefix of the stream
          const end = whole.length === 0 ? 0 : cut % (whole.length + 1);
          const buf = Buffer.concat([Buffer.alloc(lead % 7, 0xaa), whole]);
          const start = lead % 7;
          const scan = scanRowFrames(buf, start, start + end);
          const expected = rowsByTracker(whole.subarray(0, end));
          expect(scan.rows).toBe(expected.rows);
          expect(scan.end - start).toBe(expected.consumed);
          expect(scan.lastSeq).toBe(expected.lastSeq);
        },
      ),
    );
  });

  it("stops at a full-length frame (a row continuing in the next frame) before its bytes arrive", () => {
    const row = Buffer.from(frameBytes(1, Uint8Array.from([2, 0x61, 0x62])));
    const fullHeader = Buffer.from([0xff, 0xff, 0xff, 2, 0x00]);
    const scan = scanRowFrames(Buffer.concat([row, fullHeader]), 0, row.length + fullHeader.length);
    expect(scan).toEqual({ end: row.length, rows: 1, lastSeq: 1 });
  });
});
