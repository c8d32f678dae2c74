import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Facts, SAME_CONNECTION_NEEDS } from "../../src/classifier/facts.js";
import type { ServerStatus, Topology } from "../../src/monitor/types.js";
import type { Span } from "../../src/policy/ast.js";
import { BASE_FACTS } from "../../src/policy/domain/base-input.js";
import type { Action, PoolSpec } from "../../src/policy/ir.js";
import { type Placement, type RouteContext, route } from "../../src/routing/route.js";
import { initialSessionState, type SessionState } from "../../src/routing/session-state.js";

const SPAN: Span = { file: "t.policy", start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

function facts(overrides: Partial<Facts>): Facts {
  return { ...BASE_FACTS, ...overrides };
}

const SERVERS = ["db1", "db2", "db3"] as const;

const serverStatus = (
  name: string,
  role: "primary" | "replica",
  state: ServerStatus["state"],
  lag: number | null,
): ServerStatus => ({
  name,
  host: "127.0.0.1",
  port: 3306,
  role,
  state,
  health: state === "down" ? "down" : state === "lagging" ? "lagging" : "up",
  admin: state === "maintenance" ? "maintenance" : state === "draining" ? "draining" : "online",
  acceptsReads: state === "up",
  acceptsWrites: role === "primary" && (state === "up" || state === "draining"),
  readOnly: role !== "primary",
  lagSeconds: lag,
  replicatesFrom: role === "primary" ? null : "db1",
  gtidCurrentPos: "0-1-1",
  version: "10.11",
  lastError: null,
});

const stateArb = fc.constantFrom<ServerStatus["state"]>(
  "up",
  "up",
  "up",
  "down",
  "lagging",
  "maintenance",
  "draining",
);

const topologyArb: fc.Arbitrary<Topology> = fc
  .tuple(
    fc.constantFrom(0, 1, 2),
    fc.tuple(stateArb, stateArb, stateArb),
    fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)),
  )
  .map(([primaryAt, states, lags]) => {
    const servers = SERVERS.map((name, i) =>
      serverStatus(name, i === primaryAt ? "primary" : "replica", states[i]!, i === primaryAt ? 0 : lags[i]!),
    );
    return { seq: 1, at: 0, primary: SERVERS[primaryAt]!, servers, leader: true, problems: [] };
  });

const poolArb = (name: string): fc.Arbitrary<PoolSpec> =>
  fc.record({
    name: fc.constant(name),
    select: fc.oneof(
      fc.record({
        kind: fc.constant("role" as const),
        role: fc.constantFrom("primary" as const, "replica" as const, "any" as const),
      }),
      fc.record({
        kind: fc.constant("servers" as const),
        servers: fc.uniqueArray(
          fc.record({ name: fc.constantFrom(...SERVERS), weight: fc.integer({ min: 1, max: 3 }) }),
          { minLength: 1, maxLength: 3, selector: (s) => s.name },
        ),
      }),
    ),
    balance: fc.constantFrom(
      "least-active" as const,
      "least-connections" as const,
      "round-robin" as const,
      "weighted" as const,
    ),
    maxLagMs: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null }),
    fallback: fc.oneof(
      fc.constant({ kind: "error" as const }),
      fc.constantFrom("writer", "readers").map((pool) => ({ kind: "pool" as const, pool })),
    ),
    consistency: fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc.constant({ kind: "causal" as const }),
      fc
        .integer({ min: 1, max: 5000 })
        .map((windowMs) => ({ kind: "primary-after-write" as const, windowMs })),
    ),
    span: fc.constant(SPAN),
  });

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.constantFrom("writer", "readers", "missing").map((pool) => ({
    kind: "route" as const,
    target: { kind: "pool" as const, pool },
    tags: [],
    log: null,
  })),
  fc.constant({ kind: "route" as const, target: { kind: "stay" as const }, tags: [], log: null }),
  fc.constant({ kind: "deny" as const, code: 1105, sqlstate: "HY000", message: "no", tags: [], log: null }),
);

const factsArb = fc
  .record({
    writes: fc.boolean(),
    locking: fc.constantFrom("none" as const, "for_update" as const, "for_share" as const),
    sameConnection: fc.subarray([...SAME_CONNECTION_NEEDS], { maxLength: 2 }),
  })
  .map((f) => facts(f));

const sessionArb: fc.Arbitrary<SessionState> = fc
  .record({
    inTransaction: fc.boolean(),
    readOnlyTransaction: fc.boolean(),
    temporaryTables: fc.subarray(["t1"]),
    lockTables: fc.boolean(),
    namedLocks: fc.nat(2),
  })
  .map((o) => ({ ...initialSessionState({ user: "app", clientAddress: "127.0.0.1", schema: null }), ...o }));

const placementArb: fc.Arbitrary<Placement> = fc.record({
  current: fc.option(fc.constantFrom(...SERVERS), { nil: null }),
  lastWriteAt: fc.option(fc.nat(10_000), { nil: null }),
  lastGtid: fc.option(fc.constant("0-1-5"), { nil: null }),
});

function context(topology: Topology, pools: PoolSpec[]): RouteContext {
  return {
    pools: new Map(pools.map((p) => [p.name, p])),
    topology,
    load: () => ({ active: 0, connections: 0 }),
    cursors: () => ({ next: 0 }),
    now: 5_000,
    causalTimeoutMs: 1_000,
  };
}

const scenario = fc.record({
  topology: topologyArb,
  writer: poolArb("writer"),
  readers: poolArb("readers"),
  action: actionArb,
  facts: factsArb,
  session: sessionArb,
  placement: placementArb,
});

describe("route", () => {
  it("never sends a write or a locking read to a server that does not accept writes", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = route(
          { action: s.action, rule: "r" },
          s.facts,
          s.session,
          s.placement,
          context(s.topology, [s.writer, s.readers]),
        );
        if (plan.kind !== "forward" || (!s.facts.writes && s.facts.locking === "none")) return;
        const server = s.topology.servers.find((x) => x.name === plan.server)!;
        if (s.facts.writes) expect(server.acceptsWrites).toBe(true);
        else if (plan.stay === null) expect(server.acceptsWrites).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("never moves an open transaction or a pinned session to another backend", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = route(
          { action: s.action, rule: "r" },
          s.facts,
          s.session,
          s.placement,
          context(s.topology, [s.writer, s.readers]),
        );
        const pinned =
          s.session.inTransaction ||
          s.session.lockTables ||
          s.session.namedLocks > 0 ||
          s.session.temporaryTables.length > 0;
        if (!pinned || s.placement.current === null || plan.kind !== "forward") return;
        expect(plan.server).toBe(s.placement.current);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps same-connection statements (FOUND_ROWS, SHOW WARNINGS…) on the previous connection", () => {
    const topology = fc.sample(topologyArb, { numRuns: 1, seed: 7 })[0]!;
    const up = {
      ...topology,
      servers: topology.servers.map((x) => ({ ...x, state: "up" as const, acceptsReads: true })),
    };
    const readers = fc.sample(poolArb("readers"), { numRuns: 1, seed: 3 })[0]!;
    const plan = route(
      {
        action: { kind: "route", target: { kind: "pool", pool: "readers" }, tags: [], log: null },
        rule: "reads",
      },
      facts({ sameConnection: ["found_rows"] }),
      initialSessionState({ user: "app", clientAddress: "127.0.0.1", schema: null }),
      { current: "db3", lastWriteAt: null, lastGtid: null },
      context(up, [readers]),
    );
    expect(plan).toMatchObject({ kind: "forward", server: "db3", stay: "same_connection" });
  });

  it("answers a write inside a read-only transaction on a replica itself, never sending it there", () => {
    const topology = fc.sample(topologyArb, { numRuns: 1, seed: 1 })[0]!;
    const up: Topology = {
      ...topology,
      primary: "db1",
      servers: SERVERS.map((n, i) => serverStatus(n, i === 0 ? "primary" : "replica", "up", 0)),
    };
    const session = {
      ...initialSessionState({ user: "app", clientAddress: "::1", schema: null }),
      inTransaction: true,
      readOnlyTransaction: true,
    };
    const plan = route(
      { action: { kind: "route", target: { kind: "stay" }, tags: [], log: null }, rule: "r" },
      facts({ writes: true, kind: "insert", family: "write" }),
      session,
      { current: "db2", lastWriteAt: null, lastGtid: null },
      context(up, []),
    );
    expect(plan).toMatchObject({ kind: "deny", code: 1792, sqlstate: "25006" });
  });
});
