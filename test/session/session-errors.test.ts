import { describe, expect, it } from "vitest";
import { InputError } from "../../src/session/client-input.js";
import { farewellFor } from "../../src/session/session-errors.js";

const timeout = (partial: boolean) => new InputError({ kind: "timeout", ms: 2000, partial });

describe("farewellFor: how a session that timed out reading says goodbye", () => {
  it("an idle logged-in client gets 4031 (disconnected for inactivity)", () => {
    const f = farewellFor(timeout(false), true);
    expect(f).toMatchObject({
      kind: "reply",
      error: { errno: 4031, sqlState: "HY000" },
      protocolError: false,
    });
  });

  it("a logged-in client that stalls inside a packet gets 1159 (08S01), not the idle error", () => {
    const f = farewellFor(timeout(true), true);
    expect(f).toMatchObject({
      kind: "reply",
      seq: 0,
      error: { errno: 1159, sqlState: "08S01", message: "Got timeout reading communication packets" },
      protocolError: false,
    });
    expect(f.kind === "reply" ? f.reason : "").toMatch(/middle of a packet/);
  });

  it("a client that never finished its login gets 1159 either way", () => {
    for (const partial of [false, true]) {
      expect(farewellFor(timeout(partial), false)).toMatchObject({ error: { errno: 1159 } });
    }
  });
});
