import { describe, expect, it } from "vitest";
import type { SessionEffect } from "../../src/classifier/facts.js";
import { syncPlan } from "../../src/routing/sync-plan.js";
import { applySessionEffects, EMPTY_SYNC_STATE } from "../../src/routing/sync-state.js";
import { useCluster } from "../support/cluster.js";

const cluster = useCluster();

const STATE_QUERY =
  "SELECT DATABASE() AS db, @@character_set_client AS cs, @@collation_connection AS coll, " +
  "@@sql_mode AS mode, @@time_zone AS tz, @x AS x, @s AS s";

describe("a sync plan run on a real server", () => {
  it("gives a fresh connection the same session state as the one the client changed", async () => {
    const statements: [string, SessionEffect[]][] = [
      ["USE mysql", [{ kind: "use", schema: "mysql" }]],
      [
        "SET NAMES latin1 COLLATE latin1_swedish_ci",
        [{ kind: "set_names", charset: "latin1", collation: "latin1_swedish_ci" }],
      ],
      [
        "SET sql_mode = 'ANSI_QUOTES'",
        [
          {
            kind: "set_variable",
            name: "sql_mode",
            scope: "session",
            valueText: "'ANSI_QUOTES'",
            literal: true,
          },
        ],
      ],
      [
        "SET time_zone = '+02:00'",
        [{ kind: "set_variable", name: "time_zone", scope: "session", valueText: "'+02:00'", literal: true }],
      ],
      ["SET @x = 42", [{ kind: "user_variable", name: "x", how: "set", valueText: "42", literal: true }]],
      // a pure expression of literals is copied as such (a computed one is held, not replayed)
      [
        "SET @s = CONCAT('a', 'b')",
        [{ kind: "user_variable", name: "s", how: "set", valueText: "CONCAT('a', 'b')", literal: true }],
      ],
    ];
    const client = await cluster.connect(cluster.replicas[0]!, { database: "sluice_test" });
    const fresh = await cluster.connect(cluster.replicas[1]!, { database: "sluice_test" });
    try {
      let state = EMPTY_SYNC_STATE;
      for (const [sql, effects] of statements) {
        await client.query(sql);
        state = applySessionEffects(state, effects, sql);
      }
      const have = applySessionEffects(
        EMPTY_SYNC_STATE,
        [{ kind: "use", schema: "sluice_test" }],
        "USE sluice_test",
      );
      for (const step of syncPlan(state, have)) {
        await fresh.query(step.kind === "init_db" ? `USE \`${step.schema}\`` : step.sql);
      }
      const [want] = await client.query(STATE_QUERY);
      const [got] = await fresh.query(STATE_QUERY);
      expect(got).toEqual(want);
      expect((want as { db: string }[])[0]?.db).toBe("mysql");
    } finally {
      await client.end();
      await fresh.end();
    }
  });
});
