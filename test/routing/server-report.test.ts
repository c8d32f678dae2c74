import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import type { SessionChange } from "../../src/protocol/session-track.js";
import { EMPTY_REPORT, readServerReport } from "../../src/routing/server-report.js";
import { syncPlan } from "../../src/routing/sync-plan.js";
import {
  applyReportedVariables,
  applySessionEffects,
  EMPTY_SYNC_STATE,
} from "../../src/routing/sync-state.js";

const sv = (name: string, value: string): SessionChange => ({ kind: "system-variable", name, value });

describe("reading the server's session-state report", () => {
  it("takes the last GTID, the database and the transaction state of a response", () => {
    const report = readServerReport(classify("INSERT INTO t VALUES (1); COMMIT"), [
      sv("last_gtid", "0-1-5"),
      { kind: "transaction-state", state: "T___W___" },
      sv("last_gtid", "0-1-6"),
      { kind: "transaction-state", state: "________" },
    ]);
    expect(report.lastGtid).toBe("0-1-6");
    expect(report.inTransaction).toBe(false);
    expect(report.schema).toBeUndefined();
  });

  it("reads a dropped database as none, and LOCK TABLES from the transaction state", () => {
    expect(readServerReport(classify("DROP DATABASE d"), [{ kind: "schema", schema: "" }]).schema).toBeNull();
    expect(
      readServerReport(classify("LOCK TABLES t READ"), [{ kind: "transaction-state", state: "_______L" }])
        .tablesLocked,
    ).toBe(true);
  });

  it("copies variables only from statements whose SETs the classifier cannot see", () => {
    const changes = [sv("time_zone", "+02:00"), sv("last_gtid", "0-1-2"), sv("session_track_schema", "OFF")];
    expect(readServerReport(classify("CALL setter()"), changes).variables).toEqual([["time_zone", "+02:00"]]);
    expect(
      readServerReport(classify("EXECUTE IMMEDIATE 'SET time_zone = ''+02:00'''"), changes).variables,
    ).toEqual([["time_zone", "+02:00"]]);
    // SET STATEMENT … FOR: the value lasts for that statement only
    expect(
      readServerReport(classify("SET STATEMENT time_zone = '+02:00' FOR SELECT NOW()"), changes).variables,
    ).toEqual([]);
    // a SET the classifier saw is diffed or replayed from the facts already
    expect(readServerReport(classify("SET time_zone = '+02:00'"), changes).variables).toEqual([]);
  });

  it("follows autocommit whatever set it", () => {
    expect(readServerReport(classify("CALL p()"), [sv("autocommit", "OFF")]).autocommit).toBe(false);
    expect(readServerReport(classify("SET autocommit = 1"), [sv("autocommit", "ON")]).autocommit).toBe(true);
    expect(readServerReport(classify("SELECT 1"), [])).toBe(EMPTY_REPORT);
  });
});

describe("reported variables in the sync state", () => {
  it("become one combined SET on other connections, numbers bare and text quoted", () => {
    const wanted = applyReportedVariables(EMPTY_SYNC_STATE, [
      ["time_zone", "+02:00"],
      ["max_statement_time", "5.000000"],
      ["sql_mode", "ANSI_QUOTES,STRICT_TRANS_TABLES"],
    ]);
    expect(syncPlan(wanted, EMPTY_SYNC_STATE)).toEqual([
      {
        kind: "query",
        reason: "set",
        sql: "SET @@session.time_zone = '+02:00', @@session.max_statement_time = 5.000000, @@session.sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES'",
      },
    ]);
  });

  it("are replayed after verbatim statements, so the later value wins", () => {
    const sql = "SET time_zone = CONCAT('+0', '3:00')";
    const replayed = applySessionEffects(EMPTY_SYNC_STATE, classify(sql).sessionEffects, sql);
    const wanted = applyReportedVariables(replayed, [["time_zone", "+02:00"]]);
    expect(syncPlan(wanted, EMPTY_SYNC_STATE).map((s) => (s.kind === "query" ? s.sql : s.kind))).toEqual([
      sql,
      "SET @@session.time_zone = '+02:00'",
    ]);
  });

  it("never take a name that is not a plain identifier", () => {
    expect(applyReportedVariables(EMPTY_SYNC_STATE, [["x = 1; DROP TABLE t; --", "v"]])).toBe(
      EMPTY_SYNC_STATE,
    );
  });
});
