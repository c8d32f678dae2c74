import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { useCluster } from "../support/cluster.js";

const cluster = useCluster();

async function count(server: Parameters<typeof cluster.connect>[0], where: string): Promise<unknown> {
  const conn = await cluster.connect(server);
  try {
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM harness_rows WHERE ${where}`);
    return rows;
  } finally {
    await conn.end();
  }
}

async function onPrimary(sql: string, values: unknown[] = []): Promise<void> {
  const conn = await cluster.connect(cluster.primary);
  try {
    await conn.query(sql, values);
  } finally {
    await conn.end();
  }
}

describe("the local test cluster", () => {
  afterAll(async () => {
    for (const server of cluster.info.servers) {
      await cluster.resume(server);
      await cluster.start(server);
    }
    await cluster.waitForReplication();
  });

  it("replicates a write on the primary to both replicas", async () => {
    const marker = `row-${process.pid}-${Date.now()}`;
    await onPrimary(
      "CREATE TABLE IF NOT EXISTS harness_rows (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64))",
    );
    await onPrimary("INSERT INTO harness_rows (v) VALUES (?)", [marker]);
    await cluster.waitForReplication();
    expect(cluster.replicas).toHaveLength(2);
    for (const replica of cluster.replicas) {
      expect(await count(replica, `v = '${marker}'`)).toEqual([{ n: 1 }]);
    }
  });

  it("runs replicas read_only so the app user cannot write there", async () => {
    const conn = await cluster.connect(cluster.replicas[0]!);
    try {
      await expect(conn.query("INSERT INTO harness_rows (v) VALUES ('nope')")).rejects.toMatchObject({
        errno: 1290,
      });
    } finally {
      await conn.end();
    }
  });

  it("moves Com_* counters only on the server that ran the statement", async () => {
    const before = await Promise.all(cluster.info.servers.map((s) => cluster.comCounters(s)));
    const target = cluster.replicas[1]!;
    const conn = await cluster.connect(target);
    try {
      for (let i = 0; i < 3; i++) await conn.query("SELECT * FROM harness_rows WHERE id = ?", [i]);
    } finally {
      await conn.end();
    }
    const after = await Promise.all(cluster.info.servers.map((s) => cluster.comCounters(s)));
    const deltas = cluster.info.servers.map((server, i) => ({
      server: server.name,
      select: (after[i]?.Com_select ?? 0) - (before[i]?.Com_select ?? 0),
    }));
    expect(deltas).toEqual(
      cluster.info.servers.map((server) => ({ server: server.name, select: server === target ? 3 : 0 })),
    );
  });

  it("reports a stopped replica down, and it catches up after a restart", async () => {
    const replica = cluster.replicas[0]!;
    await cluster.stop(replica);
    expect(cluster.isRunning(replica)).toBe(false);
    await expect(cluster.connect(replica)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await onPrimary("INSERT INTO harness_rows (v) VALUES ('while-down')");
    await cluster.start(replica);
    expect(cluster.isRunning(replica)).toBe(true);
    await cluster.waitForReplication();
    expect(await count(replica, "v = 'while-down'")).toEqual([{ n: 1 }]);
  });

  it("pauses a server (SIGSTOP) so connecting hangs until it resumes", async () => {
    const replica = cluster.replicas[1]!;
    await cluster.pause(replica);
    try {
      await expect(cluster.connect(replica)).rejects.toMatchObject({ code: "ETIMEDOUT" });
    } finally {
      await cluster.resume(replica);
    }
    expect(await count(replica, "1 = 1")).toEqual([{ n: expect.any(Number) }]);
  });

  it("kills a server with SIGKILL and restarts it", async () => {
    const replica = cluster.replicas[1]!;
    await cluster.kill(replica);
    expect(cluster.isRunning(replica)).toBe(false);
    await cluster.restart(replica);
    await cluster.waitForReplication();
    expect(cluster.isRunning(replica)).toBe(true);
  });

  it("makes lag by stopping a replica's SQL thread", async () => {
    const replica = cluster.replicas[0]!;
    await cluster.stopReplicaSql(replica);
    try {
      await onPrimary("INSERT INTO harness_rows (v) VALUES ('lagging')");
      await new Promise((r) => setTimeout(r, 300));
      expect(await count(replica, "v = 'lagging'")).toEqual([{ n: 0 }]);
    } finally {
      await cluster.startReplicaSql(replica);
    }
    await cluster.waitForReplication();
    expect(await count(replica, "v = 'lagging'")).toEqual([{ n: 1 }]);
  });

  it("writes the general log when asked", async () => {
    const path = await cluster.setGeneralLog(cluster.primary, true);
    try {
      await onPrimary("SELECT 'general-log-marker'");
    } finally {
      await cluster.setGeneralLog(cluster.primary, false);
    }
    expect(readFileSync(path, "utf8")).toContain("general-log-marker");
  });
});
