import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import { routingDecider } from "../../src/dry-run/decider.js";
import type { LogEvent } from "../../src/dry-run/log-event.js";
import { Simulation, type StatementRecord } from "../../src/dry-run/simulate.js";
import { dryRunTopology } from "../../src/dry-run/topology.js";
import { collect, FIXTURES } from "./support/collect.js";
import { PRIMARY_ONLY_POLICY, policyFromText, SPLIT_POLICY } from "./support/policy.js";

const topology = dryRunTopology();
const split = routingDecider(policyFromText(SPLIT_POLICY).bundle, topology);
const primaryOnly = routingDecider(policyFromText(PRIMARY_ONLY_POLICY).bundle, topology);

function replay(
  events: readonly LogEvent[],
  sim = new Simulation([split], (sql) => classify(sql)),
): StatementRecord[] {
  const out: StatementRecord[] = [];
  for (const e of events) {
    const r = sim.step(e);
    if (r !== null) out.push(r);
  }
  return out;
}

const q = (thread: string, line: number, sql: string): LogEvent => ({ kind: "query", thread, line, sql });

describe("session simulation over the real classifier, policy and routing", () => {
  it("routes every statement of a transaction to the primary, and plain reads to the replicas", () => {
    const records = replay([
      q("1", 1, "SELECT * FROM t WHERE id = 1"),
      q("1", 2, "BEGIN"),
      q("1", 3, "SELECT * FROM t WHERE id = 1"),
      q("1", 4, "UPDATE t SET a = 2 WHERE id = 1"),
      q("1", 5, "COMMIT"),
      q("1", 6, "SELECT * FROM t WHERE id = 1"),
    ]);
    expect(records.map((r) => r.outcomes[0]!.target)).toEqual([
      "replicas",
      "primary",
      "primary",
      "primary",
      "primary",
      "replicas",
    ]);
    expect(records.map((r) => r.session.inTransaction)).toEqual([false, false, true, true, true, false]);
    expect(records[2]!.outcomes[0]).toMatchObject({
      rule: "transactions",
      role: "primary",
      serverRole: "primary",
    });
  });

  it("keeps sessions apart per thread", () => {
    const records = replay([q("1", 1, "BEGIN"), q("2", 2, "SELECT * FROM t"), q("1", 3, "SELECT * FROM t")]);
    expect(records.map((r) => [r.thread, r.outcomes[0]!.target])).toEqual([
      ["1", "primary"],
      ["2", "replicas"],
      ["1", "primary"],
    ]);
  });

  it("takes user and schema from Connect and Init DB, and forgets a session at Quit", () => {
    const sim = new Simulation([split], (sql) => classify(sql), { defaultUser: "someone" });
    const records = replay(
      [
        { kind: "connect", thread: "5", line: 1, user: "shop", clientAddress: "10.1.1.1", schema: null },
        { kind: "init_db", thread: "5", line: 2, schema: "orders" },
        q("5", 3, "SELECT 1 FROM t"),
        q("5", 4, "USE billing"),
        q("5", 5, "SELECT 1 FROM t"),
        { kind: "quit", thread: "5", line: 6 },
        q("5", 7, "SELECT 1 FROM t"),
      ],
      sim,
    );
    expect(records.map((r) => [r.session.user, r.session.schema])).toEqual([
      ["shop", "orders"],
      ["shop", "orders"],
      ["shop", "billing"],
      ["someone", null], // thread id reused after Quit: a new session the log did not show connecting
    ]);
    expect(sim.counts).toEqual({ sessions: 2, sessionsWithoutConnect: 1, prepares: 0, invalid: 0 });
  });

  it("keeps a session with a temporary table on the primary while the table exists", () => {
    const records = replay([
      q("1", 1, "CREATE TEMPORARY TABLE tmp (id INT)"),
      q("1", 2, "SELECT * FROM tmp"),
      q("1", 3, "SELECT * FROM t"),
      q("1", 4, "DROP TEMPORARY TABLE tmp"),
      q("1", 5, "SELECT * FROM t"),
    ]);
    expect(records.map((r) => r.outcomes[0]!.target)).toEqual([
      "primary",
      "primary",
      "primary",
      "primary",
      "replicas",
    ]);
    expect(records[1]!.session.temporaryTables).toEqual(["tmp"]);
  });

  it("leaves the session as it was after a statement the policy denies", () => {
    const noTransactions = routingDecider(
      policyFromText(`version 1
pool primary { role = primary }
rule no_begin when transaction = begin -> deny "no explicit transactions here"
default -> route primary
`).bundle,
      topology,
    );
    const records = replay(
      [q("1", 1, "BEGIN"), q("1", 2, "SELECT * FROM t")],
      new Simulation([noTransactions], (sql) => classify(sql)),
    );
    expect(records.map((r) => r.outcomes[0]!.action)).toEqual(["deny", "route"]);
    expect(records[1]!.session.inTransaction).toBe(false);
  });

  it("lets the session's hints from the log override what it reconstructed", () => {
    const records = replay([
      {
        kind: "query",
        thread: "1",
        line: 1,
        sql: "SELECT * FROM t",
        hints: { inTransaction: true, user: "u" },
      },
    ]);
    expect(records[0]!.session).toMatchObject({ inTransaction: true, user: "u" });
    expect(records[0]!.outcomes[0]!.target).toBe("primary");
  });

  it("decides each statement under every policy given, each with its own previous pool", () => {
    const sim = new Simulation([split, primaryOnly], (sql) => classify(sql));
    const records = replay([q("1", 1, "SELECT * FROM t"), q("1", 2, "SELECT FOUND_ROWS()")], sim);
    expect(records.map((r) => r.outcomes.map((o) => o.server))).toEqual([
      ["replica1", "primary"],
      // same-connection need: each policy's statement stays where that policy's last one ran
      ["replica1", "primary"],
    ]);
  });

  it("decides every statement of a real general log and counts its prepares", async () => {
    const events = await collect(`${FIXTURES}mariadb-general.log`);
    const sim = new Simulation([split], (sql) => classify(sql));
    const records = replay(events, sim);
    const statements = events.filter((e) => e.kind === "query" || e.kind === "execute").length;
    expect(records).toHaveLength(statements);
    expect(sim.counts.prepares).toBe(2);
    // nothing that writes is sent to a replica by this policy
    for (const r of records) if (r.facts.writes) expect(r.outcomes[0]!.serverRole).toBe("primary");
    // the locking read inside BEGIN … COMMIT is on the primary
    const forUpdate = records.find((r) => r.sql.endsWith("FOR UPDATE"));
    expect(forUpdate?.outcomes[0]).toMatchObject({ target: "primary", server: "primary" });
  });
});
