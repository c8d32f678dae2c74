import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ServerStatus } from "../../src/protocol/constants.js";
import { PayloadError } from "../../src/protocol/payload-reader.js";
import {
  changesSession,
  decodeSessionState,
  eofWithoutSessionState,
  frameWithoutSessionState,
  okLayout,
  okSessionChanges,
  okWithoutSessionState,
  type SessionChange,
} from "../../src/protocol/session-track.js";
import { plainOkBytes, sessionStateBytes, trackedOkBytes } from "./session-track-encoder.js";

/**
 * OK packets captured from MariaDB 10.11.19 on a connection with CLIENT_SESSION_TRACK and
 * Sluice's trackers on, and (PLAIN_*) on one without it, for the same statements.
 */
const CAPTURED = {
  insert: "0001010240000000130011096c6173745f6774696406302d312d3131",
  use: "00000002400000000b0106056d7973716c020131",
  begin: "00000003400000000b050908545f5f5f5f5f5f5f",
  commit: "00000002400000001e0011096c6173745f6774696406302d312d31380509085f5f5f5f5f5f5f5f",
  setNames:
    "00000002c0000000620020186368617261637465725f7365745f636f6e6e656374696f6e066c6174696e31001c146368617261637465725f7365745f636c69656e74066c6174696e31001d156368617261637465725f7365745f726573756c7473066c6174696e31020131",
  dropCurrentDatabase: "0000000241000000160011096c6173745f6774696406302d312d3137010100",
  lockTables: "00000002400000000b0509085f5f5f5f5f5f5f4c",
  update:
    "0001000240000028526f7773206d6174636865643a203120204368616e6765643a203120205761726e696e67733a2030130011096c6173745f6774696406302d312d3436",
  setTransactionReadOnly: "00000002c000000000",
  rowsClosed: "fe000003400000000b050908545f5f5f5f5f535f",
  /** the same UPDATE and USE on a connection without SESSION_TRACK */
  plainUpdate:
    "0001000200000028526f7773206d6174636865643a203120204368616e6765643a203120205761726e696e67733a2030",
  plainUse: "00000002000000",
} as const;

const hex = (h: string) => Buffer.from(h, "hex");

describe("session-state changes in OK packets (captured from MariaDB)", () => {
  it("reads last_gtid after a write", () => {
    expect(okSessionChanges(hex(CAPTURED.insert))).toEqual([
      { kind: "system-variable", name: "last_gtid", value: "0-1-11" },
    ]);
  });

  it("reads the database and the state-change flag after USE", () => {
    expect(okSessionChanges(hex(CAPTURED.use))).toEqual([
      { kind: "schema", schema: "mysql" },
      { kind: "state-change", changed: true },
    ]);
  });

  it("reads the transaction state (BEGIN, COMMIT with its GTID, LOCK TABLES)", () => {
    expect(okSessionChanges(hex(CAPTURED.begin))).toEqual([{ kind: "transaction-state", state: "T_______" }]);
    expect(okSessionChanges(hex(CAPTURED.commit))).toEqual([
      { kind: "system-variable", name: "last_gtid", value: "0-1-18" },
      { kind: "transaction-state", state: "________" },
    ]);
    expect(okSessionChanges(hex(CAPTURED.lockTables))).toEqual([
      { kind: "transaction-state", state: "_______L" },
    ]);
  });

  it("reads one entry per variable (SET NAMES) and an emptied database (DROP DATABASE of the current one)", () => {
    expect(
      okSessionChanges(hex(CAPTURED.setNames)).map((c) => c.kind === "system-variable" && c.name),
    ).toEqual(["character_set_connection", "character_set_client", "character_set_results", false]);
    expect(okSessionChanges(hex(CAPTURED.dropCurrentDatabase))).toEqual([
      { kind: "system-variable", name: "last_gtid", value: "0-1-17" },
      { kind: "schema", schema: "" },
    ]);
  });

  it("reads the changes of a 0xFE OK closing a result set, and none when the flag is clear", () => {
    expect(okSessionChanges(hex(CAPTURED.rowsClosed))).toEqual([
      { kind: "transaction-state", state: "T_____S_" },
    ]);
    expect(okSessionChanges(hex(CAPTURED.plainUpdate))).toEqual([]);
  });

  it("keeps the info string apart from the session state", () => {
    const layout = okLayout(hex(CAPTURED.update));
    expect(hex(CAPTURED.update).toString("utf8", layout.infoEnd - layout.infoLength, layout.infoEnd)).toBe(
      "Rows matched: 1  Changed: 1  Warnings: 0",
    );
    expect(okSessionChanges(hex(CAPTURED.update))).toEqual([
      { kind: "system-variable", name: "last_gtid", value: "0-1-46" },
    ]);
  });
});

describe("OK packets for clients without SESSION_TRACK", () => {
  it("match what the server sends such a client", () => {
    // the same statement's OK on a tracking connection, stripped, equals the plain connection's
    expect(okWithoutSessionState(hex(CAPTURED.use))).toEqual(hex(CAPTURED.plainUse));
    expect(okWithoutSessionState(hex(CAPTURED.update))).toEqual(hex(CAPTURED.plainUpdate));
  });

  it("drop the state block, keep counters, warnings and a non-empty info, clear the flag", () => {
    const stripped = okWithoutSessionState(hex(CAPTURED.insert));
    expect(stripped.toString("hex")).toBe("00010102000000");
    const noEntries = okWithoutSessionState(hex(CAPTURED.setTransactionReadOnly));
    expect(noEntries.readUInt16LE(3) & ServerStatus.SessionStateChanged).toBe(0);
    expect(noEntries.length).toBe(7);
  });

  it("leave an OK without session state as it is (the same buffer: no copy)", () => {
    const plain = hex(CAPTURED.plainUpdate);
    expect(okWithoutSessionState(plain)).toBe(plain);
  });

  it("clear the flag in a classic EOF, in a copy", () => {
    const eof = Buffer.from([0xfe, 0, 0, 0x03, 0x40]);
    const out = eofWithoutSessionState(eof);
    expect([...out]).toEqual([0xfe, 0, 0, 0x03, 0x00]);
    expect(eof[4]).toBe(0x40);
    const clean = Buffer.from([0xfe, 0, 0, 0x02, 0x00]);
    expect(eofWithoutSessionState(clean)).toBe(clean);
  });

  it("re-frame a rewritten packet with its sequence id, and return the raw frame when nothing changes", () => {
    const payload = hex(CAPTURED.use);
    const raw = Buffer.concat([Buffer.from([payload.length, 0, 0, 7]), payload]);
    const out = frameWithoutSessionState({ seq: 7, payload, raw }, "ok");
    expect(out.toString("hex")).toBe(`07000007${CAPTURED.plainUse}`);
    const plain = hex(CAPTURED.plainUse);
    const plainRaw = Buffer.concat([Buffer.from([plain.length, 0, 0, 1]), plain]);
    expect(frameWithoutSessionState({ seq: 1, payload: plain, raw: plainRaw }, "ok")).toBe(plainRaw);
  });
});

const text = fc.string({ maxLength: 40 });
const name = fc.stringMatching(/^[a-z_]{1,30}$/);
const change: fc.Arbitrary<SessionChange> = fc.oneof(
  fc.record({ kind: fc.constant("system-variable" as const), name, value: text }),
  fc.record({ kind: fc.constant("schema" as const), schema: text }),
  fc.record({ kind: fc.constant("state-change" as const), changed: fc.boolean() }),
  fc.record({
    kind: fc.constant("transaction-state" as const),
    state: fc.stringMatching(/^[TI_][r_][R_][w_][W_][s_][S_][L_]$/),
  }),
  fc.record({ kind: fc.constant("transaction-characteristics" as const), statement: text }),
  fc.record({
    kind: fc.constant("other" as const),
    type: fc.oneof(fc.constant(3), fc.integer({ min: 6, max: 255 })),
    data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  }),
);

describe("round trips through an independent encoder (fast-check)", () => {
  it("decodes every encoded block to the changes it was built from", () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), (changes) => {
        expect(decodeSessionState(Buffer.from(sessionStateBytes(changes)))).toEqual(changes);
      }),
    );
  });

  it("finds the changes in an OK packet whatever its counters and info, and strips it to the plain OK", () => {
    fc.assert(
      fc.property(
        fc.record({
          header: fc.constantFrom(0x00, 0xfe),
          affected: fc.nat({ max: 2 ** 40 }),
          insertId: fc.nat({ max: 2 ** 40 }),
          status: fc.integer({ min: 0, max: 0xffff }).map((s) => s & ~ServerStatus.SessionStateChanged),
          warnings: fc.integer({ min: 0, max: 0xffff }),
          info: fc.oneof(fc.constant(""), fc.string({ maxLength: 300 })),
        }),
        fc.option(fc.array(change, { maxLength: 6 }), { nil: undefined }),
        (ok, changes) => {
          const tracked = Buffer.from(
            trackedOkBytes({ ...ok, ...(changes === undefined ? {} : { changes }) }),
          );
          expect(okSessionChanges(tracked)).toEqual(changes ?? []);
          expect(okWithoutSessionState(tracked)).toEqual(Buffer.from(plainOkBytes(ok)));
        },
      ),
    );
  });

  it("reports a truncated block as malformed, never as fewer changes", () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 6 }), fc.nat(), (changes, cut) => {
        const bytes = Buffer.from(sessionStateBytes(changes));
        const at = cut % bytes.length;
        fc.pre(at > 0);
        const truncated = bytes.subarray(0, at);
        let decoded: SessionChange[] | undefined;
        try {
          decoded = decodeSessionState(truncated);
        } catch (e) {
          expect(e).toBeInstanceOf(PayloadError);
          return;
        }
        // a cut between entries is a shorter, valid block: a prefix of the changes
        expect(changes.slice(0, decoded.length)).toEqual(decoded);
      }),
    );
  });
});

describe("which changes outlive the statement (the connection's 'session state changed' signal)", () => {
  const sv = (n: string, v = "x"): SessionChange => ({ kind: "system-variable", name: n, value: v });
  it("ignores last_gtid, the database (and the state-change flag a USE brings) and transactions", () => {
    expect(changesSession(okSessionChanges(hex(CAPTURED.insert)))).toBe(false);
    expect(changesSession(okSessionChanges(hex(CAPTURED.use)))).toBe(false);
    expect(changesSession(okSessionChanges(hex(CAPTURED.begin)))).toBe(false);
    expect(changesSession(okSessionChanges(hex(CAPTURED.commit)))).toBe(false);
  });

  it("counts variables, state changes without a USE, LOCK TABLES, and a flag with no entry", () => {
    expect(changesSession([sv("time_zone")])).toBe(true);
    expect(changesSession([{ kind: "state-change", changed: true }])).toBe(true);
    expect(changesSession(okSessionChanges(hex(CAPTURED.lockTables)))).toBe(true);
    expect(changesSession(okSessionChanges(hex(CAPTURED.setNames)))).toBe(true);
    expect(changesSession([])).toBe(true);
    expect(changesSession([{ kind: "other", type: 9, data: Buffer.alloc(0) }])).toBe(true);
  });
});
