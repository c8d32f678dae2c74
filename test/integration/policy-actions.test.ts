import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, rejectionOf, startRoutedProxy } from "./proxy-helpers.js";

/** deny, rewrite, respond and macro expansion executed by a live Sluice for real clients. */
const cluster = useCluster();
const dir = mkdtempSync(join(tmpdir(), "sluice-actions-"));
let macros: ProxyHandle;
let custom: ProxyHandle;

async function proxyFor(policyFile: string): Promise<ProxyHandle> {
  return (await startRoutedProxy(cluster, policyFile)).proxy;
}

beforeAll(async () => {
  const conn = await cluster.connect(cluster.primary);
  await conn.query("CREATE TABLE IF NOT EXISTS actions_t (id INT PRIMARY KEY, v VARCHAR(8))");
  await conn.query("REPLACE INTO actions_t VALUES (1, 'one'), (2, 'two')");
  await conn.end();
  await cluster.waitForReplication();
  macros = await proxyFor("policies/examples/macros.policy");
  const template = classify("SELECT * FROM actions_t WHERE id = 1").digest;
  const file = join(dir, "actions.policy");
  writeFileSync(
    file,
    [
      "version 1",
      "pool primary {",
      "  role = primary",
      "}",
      "rule no_drop",
      "  when kind = drop_table",
      '  -> deny "DROP TABLE is not allowed through Sluice" code 1142 sqlstate "42000"',
      "rule narrow",
      `  when digest = ${JSON.stringify(template)}`,
      `  -> rewrite digest ${JSON.stringify(template)} to "SELECT v FROM actions_t WHERE id = ?" then route primary`,
      "rule shout",
      '  when kind = select and tables contains "actions_t"',
      "  -> rewrite /'one'/ to \"'ONE'\" then route primary",
      "default -> route primary",
      "",
    ].join("\n"),
  );
  custom = await proxyFor(file);
});

afterAll(async () => {
  await macros?.close();
  await custom?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("policy actions through Sluice", () => {
  it("answers whoami itself from the session (respond rows)", async () => {
    const conn = await connectThrough(macros, cluster);
    try {
      const before = await cluster.comCounters(cluster.primary);
      const [rows] = await conn.query("whoami");
      const after = await cluster.comCounters(cluster.primary);
      expect(rows).toEqual([{ user: "app", schema: cluster.info.database, client: "127.0.0.1" }]);
      expect(after.Com_select).toBe(before.Com_select);
    } finally {
      await conn.end();
    }
  });

  it("answers a prepared statement itself in binary-protocol rows", async () => {
    const conn = await connectThrough(macros, cluster);
    try {
      // the server would now say READ-COMMITTED: the answer below can only be Sluice's
      await conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      const [rows] = await conn.execute("SELECT @@tx_isolation");
      expect(rows).toEqual([{ "@@tx_isolation": "REPEATABLE-READ" }]);
      const [again] = await conn.execute("SELECT @@tx_isolation");
      expect(again).toEqual(rows);
    } finally {
      await conn.end();
    }
  });

  it("expands the ls macro into SHOW TABLES on a replica", async () => {
    const conn = await connectThrough(macros, cluster);
    try {
      const [rows] = await conn.query("ls");
      const names = (rows as Record<string, string>[]).map((r) => Object.values(r)[0]);
      expect(names).toContain("actions_t");
    } finally {
      await conn.end();
    }
  });

  it("denies with the policy's error code, SQLSTATE and message", async () => {
    const conn = await connectThrough(custom, cluster);
    try {
      const error = await rejectionOf(conn.query("DROP TABLE actions_t"));
      expect(error).toMatchObject({
        errno: 1142,
        sqlState: "42000",
        message: "DROP TABLE is not allowed through Sluice",
      });
      const [rows] = await conn.query("SELECT COUNT(*) AS n FROM actions_t");
      expect(rows).toEqual([{ n: 2 }]);
    } finally {
      await conn.end();
    }
  });

  it("rewrites by digest template (keeping the literals) and by regex", async () => {
    const conn = await connectThrough(custom, cluster);
    try {
      const [narrowed] = await conn.query("SELECT * FROM actions_t WHERE id = 2");
      expect(narrowed).toEqual([{ v: "two" }]);
      const [shouted] = await conn.query("SELECT 'one' AS word FROM actions_t WHERE id = 1");
      expect(shouted).toEqual([{ word: "ONE" }]);
    } finally {
      await conn.end();
    }
  });
});
