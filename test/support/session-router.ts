import type { RoutingEnvironment } from "../../src/routing/routing-environment.js";
import { SessionRouter } from "../../src/routing/session-router.js";
import { staticTopology } from "../../src/routing/static-topology.js";
import { compileActivePolicy } from "../../src/runtime/active-policy.js";

/**
 * A SessionRouter over `policyText` and a static topology of one primary (`primary`) and one
 * replica (`replica1`), with no load and multiplexing on: for unit tests that drive a session's
 * routing statement by statement. `env` overrides parts of the environment.
 */
export function testSessionRouter(policyText: string, env: Partial<RoutingEnvironment> = {}): SessionRouter {
  const loaded = compileActivePolicy([{ path: "t.policy", text: policyText }], 1);
  if (loaded.kind !== "ok") throw new Error(loaded.report);
  const policy = loaded.policy;
  const topology = staticTopology([
    { name: "primary", host: "127.0.0.1", port: 1, role: "primary" },
    { name: "replica1", host: "127.0.0.1", port: 2, role: "replica" },
  ]);
  return new SessionRouter(
    {
      policy: () => policy,
      topology: () => topology,
      load: () => ({ active: 0, connections: 0 }),
      cursor: () => ({ next: 0 }),
      causalTimeoutMs: 1000,
      multiplexing: true,
      ...env,
    },
    { user: "app", clientAddress: "127.0.0.1", schema: null },
  );
}

/**
 * What serve does before a session gives its connection up (session/result-capture.ts), with
 * made-up values: each held user variable `@x` is read off as the literal `'v:x'`, and the
 * earlier results as unknown. Returns the names it read off.
 */
export function captureBeforeLeaving(r: SessionRouter): readonly string[] {
  const queries = r.captureQueries();
  if (queries === null) return [];
  const names = queries.variables?.names ?? [];
  r.capturedVariables(new Map(names.map((n) => [n, `'v:${n}'`])));
  if (queries.scalars !== null) r.captured(null, null);
  return names;
}
