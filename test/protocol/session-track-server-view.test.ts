import { describe, expect, it } from "vitest";
import { additionsBeyond } from "../../src/pool/session-tracking.js";
import { frameForClient, okWithServerTracking } from "../../src/protocol/session-track.js";

/**
 * A client that negotiated SESSION_TRACK gets the OK packets the server's default trackers would
 * have sent it: what Sluice's own trackers add (last_gtid and sql_mode among the variables, the
 * state-change and transaction-state trackers) is removed. Packets captured from MariaDB 10.11.19
 * with Sluice's trackers on (the same as in session-track.test.ts).
 */
const DEFAULTS = additionsBeyond({
  systemVariables: "autocommit,character_set_client,character_set_connection,character_set_results,time_zone",
  schema: true,
  stateChange: false,
  transactionInfo: "OFF",
})!;

const hex = (s: string) => Buffer.from(s, "hex");
const view = (captured: string) => okWithServerTracking(hex(captured), DEFAULTS).toString("hex");

describe("OK packets for clients with SESSION_TRACK, as the server's default trackers send them", () => {
  it("knows what Sluice adds to MariaDB's defaults, and nothing when the server tracks it all", () => {
    expect([...DEFAULTS.variables]).toEqual(["last_gtid", "sql_mode"]);
    expect(DEFAULTS).toMatchObject({ schema: false, stateChange: true, transactionState: true });
    expect(
      additionsBeyond({ systemVariables: "*", schema: true, stateChange: true, transactionInfo: "STATE" }),
    ).toBeNull();
  });

  it("a write: last_gtid removed, so no session state at all (flag clear, no info)", () => {
    expect(view("0001010240000000130011096c6173745f6774696406302d312d3131")).toBe("00010102000000");
  });

  it("USE: the database kept, the state-change entry removed", () => {
    expect(view("00000002400000000b0106056d7973716c020131")).toBe("0000000240000000080106056d7973716c");
  });

  it("BEGIN: the transaction state removed, the in-transaction status flag kept", () => {
    expect(view("00000003400000000b050908545f5f5f5f5f5f5f")).toBe("00000003000000");
  });

  it("SET NAMES: the three character-set variables kept, the state-change entry removed", () => {
    const captured =
      "00000002c0000000620020186368617261637465725f7365745f636f6e6e656374696f6e066c6174696e31001c146368617261637465725f7365745f636c69656e74066c6174696e31001d156368617261637465725f7365745f726573756c7473066c6174696e31020131";
    const out = view(captured);
    expect(out.slice(0, 16)).toBe("00000002c0000000");
    expect(out.slice(16, 18)).toBe((0x62 - 3).toString(16));
    expect(out.endsWith("020131")).toBe(false);
    expect(out.slice(18)).toBe(captured.slice(18, captured.length - 6));
  });

  it("an OK without session state is the same buffer; a classic EOF loses the flag", () => {
    const plain = hex("00000002000000");
    expect(okWithServerTracking(plain, DEFAULTS)).toBe(plain);
    const eof = hex("fe00000240");
    const raw = Buffer.concat([hex("050000"), Buffer.from([3]), eof]);
    const out = frameForClient({ seq: 3, payload: eof, raw }, "eof", DEFAULTS);
    expect(out.toString("hex")).toBe("05000003fe00000200");
  });
});
