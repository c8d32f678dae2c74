import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import type { SessionChange } from "../../src/protocol/session-track.js";
import { heldAfter, heldNames } from "../../src/routing/held-user-variables.js";
import type { SessionRouter } from "../../src/routing/session-router.js";
import { preparedUses, type SyncStep, syncPlan } from "../../src/routing/sync-plan.js";
import { applySessionEffects, EMPTY_SYNC_STATE, type SyncState } from "../../src/routing/sync-state.js";
import { captureBeforeLeaving, testSessionRouter } from "../support/session-router.js";

/** the names the last release or switch read off the connection (see captureBeforeLeaving) */
let readOff: readonly string[] = [];

/** default.policy's shape: writes, locks and session effects on the primary, reads split. */
const POLICY = `version 1
pool primary {
  role = primary
}
pool replicas {
  role = replica
}
rule same when same_connection and not writes and locking = none -> route stay
rule writes when writes or locking != none -> route primary
rule effects when session_effects or family in [session, transaction, prepared] -> route primary
rule reads when family = read -> route replicas
default -> route primary
`;

interface Ran {
  readonly server: string;
  readonly sync: readonly SyncStep[];
}

/** Runs `sql` as serve does: plan, lease where planned, sync, run, report; returns where and what synced. */
function run(r: SessionRouter, sql: string, changes: SessionChange[] = [], ok = true): Ran | number {
  const step = r.planQuery(sql, 0);
  if (step.kind === "deny") return step.code;
  if (step.kind !== "forward") throw new Error(step.kind);
  if (r.currentServer !== step.server) {
    if (r.currentServer !== null) {
      readOff = captureBeforeLeaving(r);
      r.disconnected();
    }
    r.connected(step.server, null);
  }
  const sync = r.syncFor(step.server);
  r.synced();
  const release = r.afterStatement(step.facts, sql, step.pool, { ok, status: 2, warnings: 0, changes }, 0);
  if (release === "release") {
    readOff = captureBeforeLeaving(r);
    r.disconnected();
  }
  return { server: step.server, sync };
}

function serverOf(r: SessionRouter, sql: string, changes: SessionChange[] = []): string | number {
  const ran = run(r, sql, changes);
  return typeof ran === "number" ? ran : ran.server;
}

function syncOf(r: SessionRouter, sql: string, changes: SessionChange[] = []): string[] {
  const ran = run(r, sql, changes);
  if (typeof ran === "number") throw new Error(`denied ${ran}`);
  return ran.sync.map((s) => (s.kind === "query" ? s.sql : `USE ${s.schema}`));
}

const variable = (name: string, value: string): SessionChange => ({ kind: "system-variable", name, value });

describe("EXPLAIN of a locking read goes where the locking read goes (case 7)", () => {
  it("to the primary", () => {
    const r = testSessionRouter(POLICY);
    expect(serverOf(r, "EXPLAIN SELECT * FROM t FOR UPDATE")).toBe("primary");
    expect(serverOf(r, "ANALYZE SELECT * FROM t LOCK IN SHARE MODE")).toBe("primary");
    expect(serverOf(r, "EXPLAIN SELECT * FROM t")).toBe("replica1");
  });
});

describe("user variables a statement sets where Sluice cannot copy them", () => {
  it("GET DIAGNOSTICS runs where the error is and its variables are read there (case 6)", () => {
    const r = testSessionRouter(POLICY);
    const failed = r.planQuery("DELETE FROM nosuch", 0);
    if (failed.kind !== "forward") throw new Error(failed.kind);
    r.connected(failed.server, null);
    r.afterStatement(
      failed.facts,
      "DELETE FROM nosuch",
      failed.pool,
      { ok: false, status: 2, warnings: 0 },
      0,
    );
    expect(serverOf(r, "GET DIAGNOSTICS CONDITION 1 @e = MYSQL_ERRNO")).toBe("primary");
    // its value is read off that connection before the session lets it go, not run again elsewhere
    expect(readOff).toEqual(["e"]);
    expect(syncOf(r, "SELECT @e")).toEqual(["SET @e = 'v:e'"]);
  });

  it("CALL p(@out) holds @out where the CALL ran", () => {
    const r = testSessionRouter(POLICY);
    expect(serverOf(r, "SET @io = 1")).toBe("primary");
    expect(serverOf(r, "CALL p(@o, @io)")).toBe("primary");
    expect(readOff).toEqual(["o", "io"]);
    expect(syncOf(r, "SELECT @o, @io")).toEqual(["SET @o = 'v:o', @io = 'v:io'"]);
  });

  it("SET @n = (SELECT COUNT(*) …) is held where it was computed, never re-run elsewhere (replay values)", () => {
    const r = testSessionRouter(POLICY);
    expect(serverOf(r, "SET @n = (SELECT COUNT(*) FROM t2)")).toBe("primary");
    expect(readOff).toEqual(["n"]);
    expect(serverOf(r, "INSERT INTO t2 VALUES ()")).toBe("primary");
    expect(syncOf(r, "SELECT @n")).toEqual(["SET @n = 'v:n'"]);
  });

  it("heldAfter: only a literal SET copies; heldNames lists what a release must read off", () => {
    const set = (sql: string, held = heldAfter(null, classify("SELECT 1"), "p", false)) =>
      heldAfter(held, classify(sql), "primary", false);
    expect(heldNames(set("SET @a = 1"))).toEqual([]);
    expect(heldNames(set("SET @t = NOW(), @k = 5"))).toEqual(["t"]);
    expect(heldNames(set("SET @t = 1", set("SET @t = NOW()")))).toEqual([]);
    expect(heldNames(null)).toEqual([]);
    expect(heldNames({ server: "p", names: null, copied: [], gone: false })).toBeNull();
    expect(heldNames({ server: "p", names: ["x"], copied: [], gone: true })).toEqual([]);
  });

  it("a computed SET is not replayed and drops a stale literal", () => {
    let s = applySessionEffects(EMPTY_SYNC_STATE, classify("SET @n = 1").sessionEffects, "SET @n = 1");
    const sql = "SET @n = (SELECT COUNT(*) FROM t2)";
    s = applySessionEffects(s, classify(sql).sessionEffects, sql);
    expect(s.replay).toEqual([]);
    expect(s.userVariables.has("n")).toBe(false);
  });
});

describe("session variables are restored with the values in effect (case 5)", () => {
  function apply(state: SyncState, sql: string, changes: SessionChange[] = []): SyncState {
    return applySessionEffects(state, classify(sql).sessionEffects, sql, null, changes);
  }

  it("SET @s = @@sql_mode; SET sql_mode = '…'; SET sql_mode = @s restores the saved mode", () => {
    let s = apply(EMPTY_SYNC_STATE, "SET @s = @@sql_mode");
    s = apply(s, "SET sql_mode = 'ONLY_FULL_GROUP_BY'", [variable("sql_mode", "ONLY_FULL_GROUP_BY")]);
    s = apply(s, "SET sql_mode = @s", [variable("sql_mode", "STRICT_TRANS_TABLES")]);
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([
      { kind: "query", sql: "SET @@session.sql_mode = 'STRICT_TRANS_TABLES'", reason: "set" },
    ]);
  });

  it("through the router: the reported value is what another connection gets", () => {
    const r = testSessionRouter(POLICY);
    run(r, "SET @s = @@sql_mode");
    run(r, "SET sql_mode = 'ONLY_FULL_GROUP_BY'", [variable("sql_mode", "ONLY_FULL_GROUP_BY")]);
    run(r, "SET sql_mode = @s", [variable("sql_mode", "STRICT_TRANS_TABLES")]);
    r.disconnected();
    // @s, read off the connection that computed it, travels too
    expect(syncOf(r, "SELECT @@sql_mode")).toEqual([
      "SET @@session.sql_mode = 'STRICT_TRANS_TABLES', @s = 'v:s'",
    ]);
  });

  it("SET NAMES DEFAULT is restored as NAMES DEFAULT, not a character set named 'default'", () => {
    const s = apply(EMPTY_SYNC_STATE, "SET NAMES DEFAULT");
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([
      { kind: "query", sql: "SET NAMES DEFAULT", reason: "set" },
    ]);
    const c = apply(EMPTY_SYNC_STATE, "SET NAMES utf8mb4 COLLATE DEFAULT");
    expect(syncPlan(c, EMPTY_SYNC_STATE)).toEqual([
      { kind: "query", sql: "SET NAMES 'utf8mb4' COLLATE DEFAULT", reason: "set" },
    ]);
  });

  it("a binary-protocol SET x = ? is restored with the value the server reported", () => {
    const s = apply(EMPTY_SYNC_STATE, "SET character_set_results = ?", [
      variable("character_set_results", "latin1"),
    ]);
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([
      { kind: "query", sql: "SET @@session.character_set_results = 'latin1'", reason: "set" },
    ]);
  });

  it("SET transaction_read_only after SET SESSION TRANSACTION READ ONLY wins, as it did", () => {
    let s = apply(EMPTY_SYNC_STATE, "SET SESSION TRANSACTION READ ONLY");
    s = apply(s, "SET transaction_read_only = 0");
    expect(syncPlan(s, EMPTY_SYNC_STATE).map((x) => (x.kind === "query" ? x.sql : x.kind))).toEqual([
      "SET SESSION TRANSACTION READ ONLY",
      "SET @@session.transaction_read_only = 0",
    ]);
  });

  it("a value set after a replayed statement that may set it too is replayed after it", () => {
    let s = apply(EMPTY_SYNC_STATE, "SET CHARACTER SET latin1");
    s = apply(s, "SET NAMES utf8mb4");
    s = apply(s, "SET time_zone = '+01:00'");
    expect(syncPlan(s, EMPTY_SYNC_STATE).map((x) => (x.kind === "query" ? x.sql : x.kind))).toEqual([
      "SET @@session.time_zone = '+01:00'",
      "SET CHARACTER SET latin1",
      "SET NAMES 'utf8mb4'",
    ]);
  });
});

describe("PREPAREs are replayed where an EXECUTE needs them, not on every connection (case 9)", () => {
  it("an old PREPARE is not replayed for other statements", () => {
    const r = testSessionRouter(POLICY);
    expect(serverOf(r, "PREPARE s FROM 'SELECT a FROM t1'")).toBe("primary");
    run(r, "DROP TABLE t1");
    r.disconnected();
    expect(syncOf(r, "SELECT 1")).toEqual([]);
    expect(syncOf(r, "SET SESSION TRANSACTION READ ONLY")).toEqual([]);
    expect(syncOf(r, "SELECT 1 + 1")).toEqual(["SET SESSION TRANSACTION READ ONLY"]);
  });

  it("on a connection that has it (same lease), EXECUTE s runs without a new PREPARE", () => {
    const r = testSessionRouter(POLICY);
    run(r, "PREPARE s FROM 'SELECT a FROM t1'");
    r.disconnected();
    run(r, "DO GET_LOCK('l', 1)"); // pins the session to this connection
    expect(syncOf(r, "EXECUTE s")).toEqual(["PREPARE s FROM 'SELECT a FROM t1'"]);
    expect(syncOf(r, "EXECUTE s")).toEqual([]);
    run(r, "PREPARE s FROM 'SELECT 2'");
    expect(syncOf(r, "EXECUTE s")).toEqual([]);
    expect(syncOf(r, "DEALLOCATE PREPARE s")).toEqual([]);
    run(r, "PREPARE t FROM 'SELECT 3'");
    run(r, "DO RELEASE_LOCK('l')");
    r.disconnected();
    expect(syncOf(r, "EXECUTE t")).toEqual(["PREPARE t FROM 'SELECT 3'"]);
  });

  it("EXECUTE s gets its PREPARE on each new connection", () => {
    const r = testSessionRouter(POLICY);
    run(r, "PREPARE s FROM 'SELECT a FROM t1'");
    r.disconnected();
    const first = run(r, "EXECUTE s");
    expect(first).toMatchObject({
      server: "replica1",
      sync: [{ kind: "query", sql: "PREPARE s FROM 'SELECT a FROM t1'", reason: "prepare" }],
    });
    expect(syncOf(r, "EXECUTE s")).toEqual(["PREPARE s FROM 'SELECT a FROM t1'"]);
  });

  it("a statement prepared in another database is prepared there, then the session's database is back", () => {
    const r = testSessionRouter(POLICY);
    run(r, "USE a");
    run(r, "PREPARE s FROM 'SELECT v FROM t'");
    run(r, "USE b");
    r.disconnected();
    expect(syncOf(r, "EXECUTE s")).toEqual(["USE b", "USE a", "PREPARE s FROM 'SELECT v FROM t'", "USE b"]);
  });

  it("DEALLOCATE needs only a statement of that name", () => {
    const r = testSessionRouter(POLICY);
    run(r, "PREPARE s FROM 'SELECT a FROM t1'");
    r.disconnected();
    expect(syncOf(r, "DEALLOCATE PREPARE s")).toEqual(["PREPARE `s` FROM 'DO 0'"]);
    expect(syncOf(r, "EXECUTE s")).toEqual([]);
  });

  it("preparedUses reads the statement's digest: names in strings never count", () => {
    let s = EMPTY_SYNC_STATE;
    for (const sql of ["PREPARE s FROM 'SELECT 1'", "PREPARE `My S` FROM 'SELECT 2'"])
      s = applySessionEffects(s, classify(sql).sessionEffects, sql, "x");
    const uses = (sql: string) => preparedUses(s, classify(sql).digest);
    expect(uses("EXECUTE s USING @a")).toEqual([{ name: "s", use: "execute" }]);
    expect(uses("EXECUTE S")).toEqual([{ name: "s", use: "execute" }]);
    expect(uses("SELECT 'EXECUTE s'; EXECUTE `my s`")).toEqual([{ name: "my s", use: "execute" }]);
    expect(uses("DROP PREPARE s")).toEqual([{ name: "s", use: "deallocate" }]);
    expect(uses("EXECUTE other")).toEqual([]);
    expect(uses("EXECUTE IMMEDIATE 'SELECT 1'")).toEqual([]);
    expect(preparedUses(EMPTY_SYNC_STATE, "EXECUTE s")).toEqual([]);
  });
});

describe("the combined SET assigns in the order the session last assigned", () => {
  it("a variable set again moves after the ones set since", () => {
    let s = EMPTY_SYNC_STATE;
    for (const sql of [
      "SET collation_connection = 'latin1_bin'",
      "SET character_set_connection = 'utf8mb4'",
      "SET collation_connection = 'utf8mb4_bin'",
    ])
      s = applySessionEffects(s, classify(sql).sessionEffects, sql);
    expect(syncPlan(s, EMPTY_SYNC_STATE)).toEqual([
      {
        kind: "query",
        sql: "SET @@session.character_set_connection = 'utf8mb4', @@session.collation_connection = 'utf8mb4_bin'",
        reason: "set",
      },
    ]);
  });
});

describe("a PREPARE that fails leaves no statement of that name", () => {
  it("the old one is not replayed for a later EXECUTE (one server: 1243)", () => {
    const r = testSessionRouter(POLICY);
    run(r, "PREPARE s FROM 'SELECT 1'");
    const bad = "PREPARE s FROM 'SELEC 2'";
    const step = r.planQuery(bad, 0);
    if (step.kind !== "forward") throw new Error(step.kind);
    r.afterStatement(step.facts, bad, step.pool, { ok: false, status: 2, warnings: 0 }, 0);
    r.disconnected();
    expect(syncOf(r, "EXECUTE s")).toEqual([]);
    expect(r.sessionState.sqlPrepared.has("s")).toBe(false);
  });
});
