import { describe, expect, it } from "vitest";
import { classifyCached } from "../../src/classifier/cache.js";
import type { SessionRouter } from "../../src/routing/session-router.js";
import { testSessionRouter } from "../support/session-router.js";

const POLICY = `version 1
pool primary {
  role = primary
}
pool replicas {
  role = replica
  statement_timeout = 2s
}
pool reports {
  role = replica
  statement_timeout = none
}
rule fast when hint.route = "fast" -> route replicas timeout 500ms
rule slow when hint.route = "slow" -> route reports
rule use_db when family = session -> route primary timeout 1s
rule reads when family = read -> route replicas
default -> route primary
`;

function router(onDecision: () => void = () => {}): SessionRouter {
  return testSessionRouter(POLICY, { statementTimeoutMs: 9000, onDecision });
}

/**
 * The limit of a statement's parts that choose no server (a binary PREPARE, COM_INIT_DB as USE):
 * decided like the statement, with the pool the rule names when it stays where the session is.
 */
describe("SessionRouter.timeoutFor", () => {
  it.each([
    ["the rule's timeout", "/* sluice: route=fast */ SELECT 1", 500],
    ["the named pool's none", "/* sluice: route=slow */ SELECT 1", 0],
    ["the named pool's statement_timeout", "SELECT v FROM t WHERE id = ?", 2000],
    ["USE as a rule for session statements decides", "USE `app`", 1000],
    ["the config default when neither rule nor pool has one", "UPDATE t SET v = 1", 9000],
  ])("%s", (_what, sql, expected) => {
    expect(router().timeoutFor(classifyCached(sql), sql)).toBe(expected);
  });

  it("counts no rule hit (the statement is decided again when it executes)", () => {
    let hits = 0;
    const r = router(() => hits++);
    r.timeoutFor(classifyCached("SELECT 1"), "SELECT 1");
    expect(hits).toBe(0);
    const step = r.planQuery("SELECT 1", Date.now());
    expect(step.kind === "forward" && step.timeoutMs).toBe(2000);
    expect(hits).toBe(1);
  });
});
