import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Framer } from "../../src/protocol/framer.js";
import { PacketAssembler } from "../../src/protocol/packet-assembler.js";
import { encodePacket } from "../../src/protocol/packet-writer.js";
import { concatBytes, packetBytes } from "./wire-builder.js";

/** Cut a byte string at the given (sorted, deduplicated) offsets. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

function readAll(chunks: Buffer[], maxPacket = 1 << 30): { seq: number; payload: string }[] {
  const framer = new Framer();
  const assembler = new PacketAssembler(framer, maxPacket);
  const got: { seq: number; payload: string }[] = [];
  for (const c of chunks) {
    // copy: a socket hands over fresh buffers, and the test reuses none of them afterwards
    framer.push(Buffer.from(c));
    for (let r = assembler.next(); r.kind === "packet"; r = assembler.next()) {
      got.push({ seq: r.packet.seq, payload: r.packet.payload.toString("hex") });
    }
  }
  return got;
}

const payloadArb = fc.uint8Array({ maxLength: 300 });

describe("framer", () => {
  it("any chunking of a stream yields the same packets", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), payloadArb), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (packets, cuts) => {
          const stream = concatBytes(packets.map(([seq, p]) => packetBytes(seq, p).bytes));
          const got = readAll(chunk(stream, cuts));
          expect(got).toEqual(packets.map(([seq, p]) => ({ seq, payload: Buffer.from(p).toString("hex") })));
        },
      ),
    );
  });

  it("encodePacket → framer round-trips and matches the independent builder", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), payloadArb, (seq, p) => {
        const ours = encodePacket(seq, Buffer.from(p));
        const theirs = packetBytes(seq, p);
        expect(ours.bytes.toString("hex")).toBe(Buffer.from(theirs.bytes).toString("hex"));
        expect(ours.nextSeq).toBe(theirs.nextSeq);
        expect(readAll([ours.bytes])).toEqual([{ seq, payload: Buffer.from(p).toString("hex") }]);
      }),
    );
  });

  it("views handed out stay intact while later chunks arrive", () => {
    const a = packetBytes(1, Buffer.from("first packet")).bytes;
    const b = packetBytes(2, Buffer.from("second")).bytes;
    const stream = concatBytes([a, b]);
    const framer = new Framer();
    framer.push(Buffer.from(stream.subarray(0, a.length + 2)));
    const first = framer.next();
    expect(first?.payload.toString()).toBe("first packet");
    framer.push(Buffer.from(stream.subarray(a.length + 2)));
    const second = framer.next();
    expect(second?.payload.toString()).toBe("second");
    expect(first?.payload.toString()).toBe("first packet");
    expect(first?.raw.length).toBe(a.length);
  });

  it("joins payloads of 16 MiB and more, in 64 KiB chunks, and splits them back", () => {
    for (const size of [0xffffff - 1, 0xffffff, 0xffffff + 5, 2 * 0xffffff]) {
      const payload = Buffer.alloc(size, 0x61);
      payload[0] = 0x03;
      payload[size - 1] = 0x7a;
      const theirs = packetBytes(0, payload);
      const ours = encodePacket(0, payload);
      expect(ours.nextSeq).toBe(theirs.nextSeq);
      expect(Buffer.compare(ours.bytes, Buffer.from(theirs.bytes))).toBe(0);
      const framer = new Framer();
      const assembler = new PacketAssembler(framer, 64 * 1024 * 1024);
      const got: Buffer[] = [];
      for (let i = 0; i < ours.bytes.length; i += 65536) {
        framer.push(Buffer.from(ours.bytes.subarray(i, i + 65536)));
        for (let r = assembler.next(); r.kind === "packet"; r = assembler.next()) {
          got.push(r.packet.payload);
          expect(r.packet.raw.reduce((n, b) => n + b.length, 0)).toBe(ours.bytes.length);
        }
      }
      expect(got.length).toBe(1);
      expect(got[0]?.length).toBe(size);
      expect(got[0]?.[size - 1]).toBe(0x7a);
    }
  });

  it("reports packets above the limit and out-of-sequence continuation frames", () => {
    const framer = new Framer();
    const assembler = new PacketAssembler(framer, 10);
    framer.push(Buffer.from(packetBytes(0, Buffer.alloc(11)).bytes));
    expect(assembler.next()).toMatchObject({ kind: "too-large", size: 11, limit: 10 });

    const f2 = new Framer();
    const a2 = new PacketAssembler(f2, 1 << 26);
    const big = packetBytes(0, Buffer.alloc(0xffffff + 1)).bytes;
    const broken = Buffer.from(big);
    broken[4 + 0xffffff + 3] = 7; // second frame's sequence id should be 1
    f2.push(broken);
    expect(a2.next()).toMatchObject({ kind: "bad-sequence", expected: 1, got: 7 });
  });
});
