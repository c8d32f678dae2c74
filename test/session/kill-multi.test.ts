import { describe, expect, it } from "vitest";
import {
  connectionIdQuestion,
  killInMultiStatement,
  mayAskConnectionId,
  mayHoldKillAmongOthers,
} from "../../src/session/kill-statement.js";

const payload = (sql: string) => Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, "utf8")]);

describe("KILL among other statements", () => {
  it("is found in any position and case, and only as a statement of its own", () => {
    for (const sql of ["KILL QUERY 5; SELECT 1", "select 1; kill 7", "SELECT 1;\n  Kill Connection 3;"]) {
      expect(mayHoldKillAmongOthers(payload(sql))).toBe(true);
      expect(killInMultiStatement(sql)).toBe(true);
    }
    expect(killInMultiStatement("SELECT 'kill'; SELECT 2")).toBe(false);
    expect(killInMultiStatement("KILL 5")).toBe(false);
    expect(killInMultiStatement("CREATE PROCEDURE p() BEGIN KILL QUERY 5; SELECT 1; END")).toBe(false);
  });

  it("costs a single statement one byte search", () => {
    expect(mayHoldKillAmongOthers(payload("SELECT skill FROM t"))).toBe(false);
    expect(mayHoldKillAmongOthers(payload("KILL 5;"))).toBe(false);
    expect(mayHoldKillAmongOthers(payload("SELECT 1; SELECT 2"))).toBe(false);
  });
});

describe("a lone SELECT CONNECTION_ID()", () => {
  it("is recognised with its column name as the server names it", () => {
    expect(connectionIdQuestion("SELECT CONNECTION_ID()")).toBe("CONNECTION_ID()");
    expect(connectionIdQuestion("select connection_id() ;")).toBe("connection_id()");
    expect(connectionIdQuestion("SELECT CONNECTION_ID() AS id")).toBe("id");
    expect(connectionIdQuestion("SELECT CONNECTION_ID() `my id`")).toBe("my id");
    expect(mayAskConnectionId(payload("  SELECT CONNECTION_ID()"))).toBe(true);
  });

  it("is not anything more (those reach the server)", () => {
    expect(connectionIdQuestion("SELECT CONNECTION_ID(), 1")).toBeUndefined();
    expect(connectionIdQuestion("SELECT CONNECTION_ID() FROM t")).toBeUndefined();
    expect(connectionIdQuestion("SELECT CONNECTION_ID() + 0")).toBeUndefined();
    expect(mayAskConnectionId(payload("/* c */ SELECT CONNECTION_ID()"))).toBe(false);
  });
});
