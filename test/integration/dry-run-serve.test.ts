import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gtidCovers } from "../../src/cluster/cluster-control.js";
import { generalLogFile } from "../../src/cluster/server-process.js";
import type { ServerInfo } from "../../src/cluster/types.js";
import type { DecisionLine } from "../../src/dry-run/decision-record.js";
import { loadPolicy, runDryRun } from "../../src/dry-run/run.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { tempFile } from "../dry-run/support/collect.js";
import { runWorkload, runWorkloadAt } from "../dry-run/support/workload.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

const cluster = useCluster();

/**
 * The policy `serve` applies in this test (the proxy routes by it). The comparison is per server
 * and per statement kind. With default.policy it would also count Sluice's own control reads
 * (`SELECT MASTER_GTID_WAIT(…)` on a replica before a causal read), which the general log of the
 * direct run cannot show; primary-only.policy keeps the counters exact.
 */
const SERVE_POLICY = "policies/primary-only.policy";

/** Statement kinds and the server counter each one moves. */
const COUNTED: Record<string, string> = {
  select: "Com_select",
  insert: "Com_insert",
  update: "Com_update",
  delete: "Com_delete",
  replace: "Com_replace",
};

type PerServer = Record<string, Record<string, number>>;

async function counters(): Promise<PerServer> {
  const out: PerServer = {};
  for (const s of cluster.info.servers) out[s.name] = await cluster.comCounters(s);
  return out;
}

function deltas(before: PerServer, after: PerServer): PerServer {
  const out: PerServer = {};
  for (const s of cluster.info.servers) {
    out[s.name] = {};
    for (const name of Object.values(COUNTED))
      out[s.name]![name] = (after[s.name]?.[name] ?? 0) - (before[s.name]?.[name] ?? 0);
  }
  return out;
}

function tailSince(path: string, offset: number): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return tempFile("general.log", buffer);
}

/**
 * Waits for the replicas like `cluster.waitForReplication()`, but with SHOW statements only: its
 * SELECTs would move the Com_select counters this test compares.
 */
async function waitQuietly(): Promise<void> {
  const pos = async (server: ServerInfo, variable: string) =>
    String((await cluster.rootQuery(server, `SHOW GLOBAL VARIABLES LIKE '${variable}'`))[0]?.Value ?? "");
  const target = await pos(cluster.primary, "gtid_binlog_pos");
  const deadline = Date.now() + 30_000;
  for (const replica of cluster.replicas) {
    while (!gtidCovers(await pos(replica, "gtid_slave_pos"), target)) {
      if (Date.now() > deadline) throw new Error(`${replica.name} did not catch up with ${target}`);
      await sleep(50);
    }
  }
}

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("dry-run predicts what serve does with the same workload", () => {
  let proxy: ProxyHandle;
  const primary: ServerInfo = cluster.primary;

  beforeAll(async () => {
    // serve routes by the same policy file dry-run reads
    proxy = (await startRoutedProxy(cluster, SERVE_POLICY)).proxy;
  });
  afterAll(async () => {
    await proxy?.close();
    await cluster.rootQuery(primary, "SET GLOBAL general_log = 0");
  });

  it("per server, the statements dry-run sends there are the ones the server counted under Sluice", async () => {
    // a first run leaves the tables as every later run leaves them, so the two measured runs
    // below replicate the same row changes
    await runWorkload(cluster, primary);
    await waitQuietly();
    // 1. the workload straight against the primary, general log on: the log a user would have
    const logPath = generalLogFile(primary);
    const offset = (() => {
      try {
        return statSync(logPath).size;
      } catch {
        return 0;
      }
    })();
    await cluster.rootQuery(primary, "SET GLOBAL general_log = 1");
    const direct0 = await counters();
    await runWorkload(cluster, primary);
    await waitQuietly();
    const direct = deltas(direct0, await counters());
    await cluster.rootQuery(primary, "SET GLOBAL general_log = 0");
    const log = tailSince(logPath, offset);

    // 2. dry-run that log against the policy serve applies, in the cluster's topology
    const loaded = await loadPolicy(SERVE_POLICY);
    if (loaded.kind !== "ok") throw new Error(`${SERVE_POLICY} does not compile`);
    const decisionsFile = tempFile("decisions.jsonl", "");
    const run = await runDryRun(
      {
        policy: loaded.policy,
        logs: [log],
        output: decisionsFile,
        servers: cluster.info.servers.map((s) => ({ name: s.name, role: s.role })),
      },
      { stdout: new Sink(), stderr: new Sink() },
    );
    expect(run.exitCode).toBe(0);
    const decisions = readFileSync(decisionsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as DecisionLine);
    const predicted: PerServer = {};
    for (const s of cluster.info.servers)
      predicted[s.name] = Object.fromEntries(Object.values(COUNTED).map((c) => [c, 0]));
    const all: Record<string, number> = Object.fromEntries(Object.values(COUNTED).map((c) => [c, 0]));
    for (const d of decisions) {
      const counter = COUNTED[d.kind];
      if (counter === undefined) continue;
      all[counter]!++;
      if (d.server !== null) predicted[d.server]![counter]!++;
    }
    // the model (one counter step per statement of that kind, queries and executions alike) is
    // checked against the direct run, where every statement ran on the primary
    expect(direct[primary.name]).toEqual(all);
    expect(all.Com_select).toBeGreaterThan(10);

    // 3. the same workload through Sluice: each server counts what dry-run said it would get
    const before = await counters();
    const ownBefore = proxy.counters.ownStatements;
    await runWorkloadAt({
      connect: () => connectThrough(proxy, cluster),
      host: proxy.host,
      port: proxy.port,
      database: cluster.info.database,
      user: cluster.info.users.app,
    });
    await waitQuietly();
    const served = deltas(before, await counters());
    // a replica's DML counters also count the row events it applies: the direct run, where no
    // client statement reached a replica, measured exactly that share
    const expected: PerServer = {};
    for (const s of cluster.info.servers) {
      expected[s.name] = {};
      for (const c of Object.values(COUNTED)) {
        const replication = s.role === "replica" ? (direct[s.name]?.[c] ?? 0) : 0;
        expected[s.name]![c] = predicted[s.name]![c]! + replication;
      }
    }
    // Sluice's own SELECTs (reading a session's earlier results off a connection before giving it
    // up, clearing another session's warnings) are the only statements dry-run does not send
    const own = proxy.counters.ownStatements - ownBefore;
    let extraSelects = 0;
    for (const s of cluster.info.servers) {
      extraSelects += (served[s.name]?.Com_select ?? 0) - (expected[s.name]?.Com_select ?? 0);
      served[s.name] = { ...served[s.name], Com_select: expected[s.name]?.Com_select ?? 0 };
    }
    expect(extraSelects).toBe(own);
    expect(served).toEqual(expected);
  });
});

describe("dry-run predicts serve's own decisions under default.policy", () => {
  it("gives every statement of a real log (queries and prepared executions) the pool and rule serve chose for it", async () => {
    const policyFile = "policies/default.policy";
    const served: string[] = [];
    const { proxy } = await startRoutedProxy(
      cluster,
      policyFile,
      {},
      { onStatement: (r) => served.push(`${r.digest} -> ${r.pool} by ${r.rule}`) },
    );
    const primary = cluster.primary;
    try {
      await runWorkload(cluster, primary);
      await waitQuietly();
      const logPath = generalLogFile(primary);
      const offset = statSync(logPath).size;
      await cluster.rootQuery(primary, "SET GLOBAL general_log = 1");
      await runWorkloadAt({
        connect: () => connectThrough(proxy, cluster),
        host: proxy.host,
        port: proxy.port,
        database: cluster.info.database,
        user: cluster.info.users.app,
      });
      await cluster.rootQuery(primary, "SET GLOBAL general_log = 0");
      // Under Sluice the primary's general log holds only what reached the primary; the replicas'
      // logs hold the rest. So the log dry-run reads is the direct run's, made as before.
      served.length = 0;
      const directOffset = statSync(logPath).size;
      await cluster.rootQuery(primary, "SET GLOBAL general_log = 1");
      await runWorkload(cluster, primary);
      await cluster.rootQuery(primary, "SET GLOBAL general_log = 0");
      const log = tailSince(logPath, directOffset);
      expect(offset).toBeLessThanOrEqual(directOffset);

      await runWorkloadAt({
        connect: () => connectThrough(proxy, cluster),
        host: proxy.host,
        port: proxy.port,
        database: cluster.info.database,
        user: cluster.info.users.app,
      });
      const decisionsFile = tempFile("decisions-default.jsonl", "");
      const loaded = await loadPolicy(policyFile);
      if (loaded.kind !== "ok") throw new Error(`${policyFile} does not compile`);
      const run = await runDryRun(
        {
          policy: loaded.policy,
          logs: [log],
          output: decisionsFile,
          servers: cluster.info.servers.map((s) => ({ name: s.name, role: s.role })),
        },
        { stdout: new Sink(), stderr: new Sink() },
      );
      expect(run.exitCode).toBe(0);
      const predicted = readFileSync(decisionsFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as DecisionLine)
        // the app's statements (the log also holds the test's own root statements)
        .filter((d) => d.action === "route" && d.user === cluster.info.users.app.user)
        .map((d) => `${d.digest} -> ${d.stay === null ? d.target : "(stay)"} by ${d.rule}`);
      expect(predicted.length).toBeGreaterThan(10);
      expect([...served].sort()).toEqual([...predicted].sort());
    } finally {
      await proxy.close();
    }
  });
});
