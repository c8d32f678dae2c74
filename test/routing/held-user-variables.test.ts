import { describe, expect, it } from "vitest";
import { classifyCached } from "../../src/classifier/cache.js";
import type { SessionChange } from "../../src/protocol/session-track.js";
import type { SessionRouter } from "../../src/routing/session-router.js";
import { captureBeforeLeaving, testSessionRouter } from "../support/session-router.js";

const POLICY = `version 1
pool primary {
  role = primary
}
pool replicas {
  role = replica
}
rule reads when family = read -> route replicas
default -> route primary
`;

const STATE_CHANGED: SessionChange[] = [{ kind: "state-change", changed: true }];

/** As default.policy does: statements with session effects run on the primary. */
const EFFECTS_ON_PRIMARY = POLICY.replace(
  "rule reads",
  "rule effects when session_effects -> route primary\nrule reads",
);

function router(text = POLICY): SessionRouter {
  return testSessionRouter(text);
}

/** Runs `sql` the way serve does: plan, take a connection where planned, report the result. */
function run(r: SessionRouter, sql: string, changes: SessionChange[] = []) {
  const step = r.planQuery(sql, 0);
  if (step.kind !== "forward") return { step, release: null };
  if (r.currentServer !== step.server) {
    if (r.currentServer !== null) captureBeforeLeaving(r);
    r.connected(step.server, null);
  }
  const release = r.afterStatement(
    step.facts,
    sql,
    step.pool,
    { ok: true, status: 2, warnings: 0, changes },
    0,
  );
  if (release === "release") {
    captureBeforeLeaving(r);
    r.disconnected();
  }
  return { step, release };
}

function server(r: SessionRouter, sql: string, changes: SessionChange[] = []): string {
  const { step } = run(r, sql, changes);
  return step.kind === "forward" ? step.server : step.kind;
}

describe("user variables whose value only one connection has", () => {
  it("CALL that changed session state: reads of user variables follow it, other reads still split", () => {
    const r = router();
    expect(run(r, "CALL p()", STATE_CHANGED).release).toBe("keep");
    expect(server(r, "SELECT @x")).toBe("primary");
    expect(server(r, "SELECT @@version")).toBe("replica1");
  });

  it("a named value held on the primary is read off before the session leaves it: reads split again", () => {
    const r = router(EFFECTS_ON_PRIMARY);
    expect(server(r, "SELECT @n := 3")).toBe("primary");
    expect(server(r, "SELECT @@version")).toBe("replica1");
    expect(server(r, "SELECT @n + 1")).toBe("replica1");
    expect(r.syncFor("replica1")).toEqual([]);
    r.disconnected();
    r.connected("replica1", null);
    // a new connection gets the value read off the primary, not the expression run again
    expect(r.syncFor("replica1")).toEqual([{ kind: "query", sql: "SET @n = 'v:n'", reason: "set" }]);
  });

  it("CALL without a reported state change holds nothing", () => {
    const r = router();
    expect(run(r, "CALL p()").release).toBe("release");
    expect(server(r, "SELECT @x")).toBe("replica1");
  });

  it("SELECT … INTO @y on a replica: SELECT @y stays on that connection", () => {
    const r = router();
    expect(server(r, "SELECT 7 INTO @y")).toBe("replica1");
    expect(server(r, "SELECT @y + 1")).toBe("replica1");
    // a read of another, copyable variable is not held
    expect(server(r, "SET @z = 5")).toBe("primary");
    expect(server(r, "SELECT @z")).toBe("replica1");
  });

  it("once the connection is gone, a read of the held values is an error, not another server's NULL", () => {
    const r = router();
    run(r, "CALL p()", STATE_CHANGED);
    r.disconnected(); // lost with its server
    const { step } = run(r, "SELECT @x");
    expect(step.kind === "deny" && step.code).toBe(1105);
  });

  it("held on a replica: a write has to leave, and the value is read off the replica first", () => {
    const r = router();
    expect(server(r, "SELECT 7 INTO @y")).toBe("replica1");
    expect(server(r, "SELECT 1")).toBe("replica1");
    expect(server(r, "INSERT INTO t VALUES (1)")).toBe("primary");
    const step = r.planQuery("SELECT @y", 0);
    expect(step.kind === "forward" && step.server).toBe("replica1");
    r.connected("replica1", null);
    expect(r.syncFor("replica1")).toEqual([{ kind: "query", sql: "SET @y = 'v:y'", reason: "set" }]);
  });

  it("a write reading a variable held on a replica asks for it to be read off, then goes to the primary with it", () => {
    const r = router();
    const into = r.planQuery("SELECT 7 INTO @y", 0);
    if (into.kind !== "forward") throw new Error(into.kind);
    r.connected(into.server, null);
    r.afterStatement(into.facts, "SELECT 7 INTO @y", into.pool, { ok: true, status: 2, warnings: 0 }, 0);
    expect(into.server).toBe("replica1");
    expect(r.planQuery("INSERT INTO t VALUES (@y)", 0).kind).toBe("capture");
    captureBeforeLeaving(r);
    const write = r.planQuery("INSERT INTO t VALUES (@y)", 0);
    expect(write.kind === "forward" && write.server).toBe("primary");
    r.disconnected();
    r.connected("primary", null);
    expect(r.syncFor("primary")).toEqual([{ kind: "query", sql: "SET @y = 'v:y'", reason: "set" }]);
  });

  it("a copyable SET of every held name clears the condition", () => {
    const r = router();
    // held, and lost with its connection before Sluice could read it off
    const into = r.planQuery("SELECT 7 INTO @y", 0);
    if (into.kind !== "forward") throw new Error(into.kind);
    r.connected(into.server, null);
    r.afterStatement(into.facts, "SELECT 7 INTO @y", into.pool, { ok: true, status: 2, warnings: 0 }, 0);
    r.disconnected();
    expect(run(r, "SELECT @y").step.kind).toBe("deny");
    run(r, "SET @y = 1");
    expect(server(r, "SELECT @y")).toBe("replica1");
  });

  it("SET @a = @held holds @a too (its replay elsewhere would read NULL)", () => {
    const r = router();
    run(r, "CALL p()", STATE_CHANGED);
    expect(server(r, "SET @a = @x + 1")).toBe("primary");
    r.disconnected();
    expect(run(r, "SELECT @a").step.kind).toBe("deny");
  });

  it("COM_RESET_CONNECTION forgets them", () => {
    const r = router();
    run(r, "CALL p()", STATE_CHANGED);
    r.disconnected();
    r.reset({ user: "app", clientAddress: "127.0.0.1", schema: null });
    expect(server(r, "SELECT @x")).toBe("replica1");
  });

  it("is never retried on another server", () => {
    const r = router();
    run(r, "CALL p()", STATE_CHANGED);
    expect(r.mayRetry(classifyCached("SELECT @x"))).toBe(false);
    expect(r.mayRetry(classifyCached("SELECT 1"))).toBe(true);
  });
});
