import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { Command } from "../../src/protocol/constants.js";
import {
  commandSent,
  diagnosticsCleared,
  hasForeignDiagnostics,
  leaseStarted,
  leavesNoSessionState,
  mayHoldSessionState,
  returned,
  schemaSelected,
  selectedSchema,
  stateChanged,
  statementVetted,
} from "../../src/session/lease-hygiene.js";

describe("leavesNoSessionState", () => {
  it.each([
    "SELECT c FROM sbtest1 WHERE id = 5",
    "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 1 AND 100",
    "UPDATE sbtest1 SET k = k + 1 WHERE id = 5",
    "DELETE FROM sbtest1 WHERE id = 5",
    "BEGIN",
    "COMMIT",
    "SHOW WARNINGS",
    "SELECT CAST('x' AS SIGNED)",
  ])("clean: %s", (sql) => {
    expect(leavesNoSessionState(classify(sql))).toBe(true);
  });

  it.each([
    "SET @x = 1",
    "SET SESSION sql_mode = 'ANSI_QUOTES'",
    "SET NAMES utf8mb4",
    "SELECT @x := 1",
    "SELECT c INTO @x FROM sbtest1 WHERE id = 1",
    "CREATE TEMPORARY TABLE t (i INT)",
    "PREPARE s FROM 'SELECT 1'",
    "LOCK TABLES sbtest1 READ",
    "SELECT GET_LOCK('a', 0)",
    "SELECT NEXTVAL(s1)",
    "SELECT my_stored_function(1)",
    "INSERT INTO sbtest1 (k, c, pad) VALUES (1, 'a', 'b')",
    "SELECT LAST_INSERT_ID(5)",
    "CALL proc()",
    "USE other",
    "XA START 'x'",
    "SELECT 1; SELECT 2",
    "HANDLER t OPEN",
    "this is not sql",
  ])("may leave state: %s", (sql) => {
    expect(leavesNoSessionState(classify(sql))).toBe(false);
  });
});

describe("a lease's hygiene", () => {
  const clean = classify("SELECT 1 FROM t");
  const dirty = classify("SET @x = 1");

  it("stays clean only while every command is a vetted clean statement", () => {
    const conn = {};
    expect(mayHoldSessionState(conn)).toBe(true); // unknown connection
    leaseStarted(conn);
    expect(mayHoldSessionState(conn)).toBe(false);
    commandSent(conn, Command.Query);
    expect(mayHoldSessionState(conn)).toBe(true); // sent, not vetted yet
    statementVetted(conn, clean);
    expect(mayHoldSessionState(conn)).toBe(false);
    commandSent(conn, Command.Query);
    statementVetted(conn, null); // a rewritten statement is not vetted
    expect(mayHoldSessionState(conn)).toBe(true);
    leaseStarted(conn);
    commandSent(conn, Command.Query);
    statementVetted(conn, dirty);
    commandSent(conn, Command.Query);
    statementVetted(conn, clean);
    expect(mayHoldSessionState(conn)).toBe(true);
    leaseStarted(conn);
    commandSent(conn, Command.StmtExecute);
    expect(mayHoldSessionState(conn)).toBe(true);
    leaseStarted(conn);
    commandSent(conn, Command.Ping);
    commandSent(conn, Command.InitDb);
    expect(mayHoldSessionState(conn)).toBe(false);
    stateChanged(conn);
    expect(mayHoldSessionState(conn)).toBe(true);
  });

  it("knows the selected database only while nothing could have changed it", () => {
    const conn = {};
    schemaSelected(conn, "db1");
    commandSent(conn, Command.Query);
    expect(selectedSchema(conn)).toBeUndefined(); // pending the statement's facts
    statementVetted(conn, dirty);
    expect(selectedSchema(conn)).toBe("db1"); // SET @x does not change the database
    commandSent(conn, Command.Query);
    statementVetted(conn, classify("USE db2"));
    expect(selectedSchema(conn)).toBeUndefined();
    schemaSelected(conn, "db1");
    commandSent(conn, Command.Query);
    statementVetted(conn, classify("DROP DATABASE db1"));
    expect(selectedSchema(conn)).toBeUndefined();
    schemaSelected(conn, "db1");
    commandSent(conn, Command.InitDb);
    expect(selectedSchema(conn)).toBeUndefined();
    schemaSelected(conn, "db1");
    commandSent(conn, Command.StmtExecute);
    expect(selectedSchema(conn)).toBeUndefined();
  });

  it("marks a returned connection's diagnostics foreign until cleared or the next holder's statement", () => {
    const conn = {};
    returned(conn);
    expect(hasForeignDiagnostics(conn)).toBe(true);
    commandSent(conn, Command.Ping);
    expect(hasForeignDiagnostics(conn)).toBe(true);
    commandSent(conn, Command.Query);
    expect(hasForeignDiagnostics(conn)).toBe(false);
    returned(conn);
    diagnosticsCleared(conn);
    expect(hasForeignDiagnostics(conn)).toBe(false);
  });
});
