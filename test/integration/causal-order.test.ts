import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { connectThrough, startRoutedProxy } from "./proxy-helpers.js";

/**
 * A causal read waits for the session's last write on the replica before Sluice brings the
 * session's state there: the database the session uses may be one that write created (issue 23:
 * `CREATE DATABASE x; USE x; SELECT DATABASE()` failed with "can't change the database to 'x'" on
 * a lagging replica). Here the replicas apply nothing, so every read must end on the primary.
 */
const cluster = useCluster();
const DB = "causal_order_new";
let proxy: ProxyHandle;

beforeAll(async () => {
  await cluster.rootQuery(cluster.primary, `DROP DATABASE IF EXISTS ${DB}`);
  await cluster.waitForReplication();
  for (const replica of cluster.replicas) await cluster.stopReplicaSql(replica);
  ({ proxy } = await startRoutedProxy(cluster, "policies/default.policy"));
});

afterAll(async () => {
  await proxy?.close();
  for (const replica of cluster.replicas) await cluster.startReplicaSql(replica);
  await cluster.rootQuery(cluster.primary, `DROP DATABASE IF EXISTS ${DB}`);
  await cluster.waitForReplication();
});

describe("causal reads on a lagging replica", () => {
  it("read a database the session just created and chose, as on one server", async () => {
    const conn = await connectThrough(proxy, cluster);
    try {
      await conn.query(`CREATE DATABASE ${DB}`);
      await conn.query(`USE ${DB}`);
      const [rows] = await conn.query("SELECT DATABASE() AS db");
      expect(rows).toEqual([{ db: DB }]);
      await conn.query("CREATE TABLE t (id INT PRIMARY KEY)");
      await conn.query("INSERT INTO t VALUES (1)");
      const [read] = await conn.query("SELECT id FROM t");
      expect(read).toEqual([{ id: 1 }]);
    } finally {
      await conn.end();
    }
  });
});
