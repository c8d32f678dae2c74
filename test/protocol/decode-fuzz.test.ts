import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Capability, Command } from "../../src/protocol/constants.js";
import { decodeErr, decodeOk } from "../../src/protocol/generic-response.js";
import { decodeChangeUser, decodeClientHello, decodeHandshakeV10 } from "../../src/protocol/handshake.js";
import { PayloadError } from "../../src/protocol/payload-reader.js";
import { isFinished, startTracking, trackFrame } from "../../src/protocol/response-tracker.js";
import { errPayload, lenenc, okPayload, u16 } from "./wire-builder.js";

/** Anything a client or server sends either decodes or fails with PayloadError — nothing else escapes. */
function onlyPayloadErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PayloadError);
  }
}

const bytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
const allCaps = 0x01ffffff;

describe("decoders on arbitrary bytes", () => {
  it("handshake, change-user, OK and ERR decoders throw only PayloadError", () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: allCaps }), (b, caps) => {
        onlyPayloadErrors(() => decodeClientHello(b));
        onlyPayloadErrors(() => decodeHandshakeV10(b));
        onlyPayloadErrors(() =>
          decodeChangeUser(Buffer.concat([Buffer.from([Command.ChangeUser]), b]), caps),
        );
        onlyPayloadErrors(() => decodeOk(b));
        onlyPayloadErrors(() => decodeErr(Buffer.concat([Buffer.from([0xff]), b])));
      }),
      { numRuns: 500 },
    );
  });

  it("the response tracker never throws and always reaches an end or keeps waiting", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(Command)),
        fc.array(bytes, { maxLength: 30 }),
        fc.boolean(),
        (cmd, frames, dep) => {
          let s = startTracking(cmd, dep ? Capability.DeprecateEof : 0);
          for (const payload of frames) {
            if (isFinished(s)) break;
            s = trackFrame(s, { payload, continues: false });
          }
          expect([
            "first",
            "column-defs",
            "columns-eof",
            "rows",
            "prepare-defs",
            "prepare-eof",
            "infile",
            "done",
            "violation",
          ]).toContain(s.phase.kind);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decodes the fields routing needs from OK and ERR built independently", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 0xffff }),
        (status, affected, warnings) => {
          const ok = decodeOk(Buffer.from(okPayload(status, { affected, warnings })));
          expect(ok).toMatchObject({ status, affectedRows: affected, warnings });
        },
      ),
    );
    const err = decodeErr(Buffer.from(errPayload(1062, "23000", "Duplicate entry")));
    expect(err).toEqual({ kind: "err", errno: 1062, sqlState: "23000", message: "Duplicate entry" });
    expect(Buffer.from(lenenc(70000))).toEqual(Buffer.from([0xfd, 0x70, 0x11, 0x01]));
    expect(u16(0x1234)).toEqual([0x34, 0x12]);
  });
});
