import { describe, expect, it } from "vitest";
import type { SessionEffect } from "../../src/classifier/facts.js";
import { syncPlan } from "../../src/routing/sync-plan.js";
import { applySessionEffects, EMPTY_SYNC_STATE, type SyncState } from "../../src/routing/sync-state.js";

function apply(state: SyncState, sql: string, ...effects: SessionEffect[]): SyncState {
  return applySessionEffects(state, effects, sql);
}

const sqlMode: SessionEffect = {
  kind: "set_variable",
  name: "sql_mode",
  scope: "session",
  valueText: "'ANSI_QUOTES'",
  literal: true,
};

describe("syncPlan", () => {
  it("costs nothing when the connection already has the session's state", () => {
    const s = apply(
      apply(EMPTY_SYNC_STATE, "USE shop", { kind: "use", schema: "shop" }),
      "SET sql_mode='ANSI_QUOTES'",
      sqlMode,
    );
    expect(syncPlan(s, s)).toEqual([]);
  });

  it("sends USE then one combined SET for what differs (the seeds' default-db case)", () => {
    let s = apply(EMPTY_SYNC_STATE, "USE mysql", { kind: "use", schema: "mysql" });
    s = apply(s, "SET NAMES latin1", { kind: "set_names", charset: "latin1", collation: null });
    s = apply(s, "SET sql_mode='ANSI_QUOTES'", sqlMode);
    s = apply(s, "SET @x = 5", {
      kind: "user_variable",
      name: "x",
      how: "set",
      valueText: "5",
      literal: true,
    });
    const have = apply(EMPTY_SYNC_STATE, "USE repl", { kind: "use", schema: "repl" });
    expect(syncPlan(s, have)).toEqual([
      { kind: "init_db", schema: "mysql" },
      { kind: "query", sql: "SET NAMES 'latin1', @@session.sql_mode = 'ANSI_QUOTES', @x = 5", reason: "set" },
    ]);
  });

  it("resets variables the connection has and the session does not", () => {
    const have = apply(EMPTY_SYNC_STATE, "SET sql_mode='ANSI_QUOTES'", sqlMode);
    const wanted = apply(have, "SET sql_mode=DEFAULT", { ...sqlMode, valueText: "DEFAULT" });
    expect(syncPlan(wanted, have)).toEqual([
      { kind: "query", sql: "SET @@session.sql_mode = DEFAULT", reason: "set" },
    ]);
  });

  it("replays a SET it cannot diff verbatim, once, instead of locking the session", () => {
    const odd = "SET sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE')";
    const s = apply(EMPTY_SYNC_STATE, odd, {
      ...sqlMode,
      valueText: "CONCAT(@@sql_mode, ',NO_ZERO_DATE')",
      literal: false,
    });
    expect(s.variables.size).toBe(0);
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([{ kind: "query", sql: odd, reason: "replay" }]);
    expect(syncPlan(s, s)).toEqual([]);
  });

  it("ignores global variables (they are writes on the primary, not session state)", () => {
    const s = apply(EMPTY_SYNC_STATE, "SET GLOBAL max_connections=10", {
      kind: "set_variable",
      name: "max_connections",
      scope: "global",
      valueText: "10",
      literal: true,
    });
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([]);
  });
});
