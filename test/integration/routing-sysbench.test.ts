import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActiveOperations } from "../../src/routing/active-operations.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { startRoutedProxy } from "./proxy-helpers.js";

/**
 * sysbench's C client (libmariadb) with server-side prepared statements sends parameter types
 * only with a statement's first EXECUTE. Through Sluice every EXECUTE may land on a connection
 * that never saw that first one, so Sluice must prepare there and splice the types in: any
 * mistake shows as sysbench errors.
 */
const run = promisify(execFile);
const cluster = useCluster();
const DB = "sb_routing";
let proxy: ProxyHandle;
let operations: ActiveOperations | undefined;

function sysbench(port: number, ...extra: string[]) {
  const { app } = cluster.info.users;
  return run("sysbench", [
    "oltp_read_only",
    "--mysql-host=127.0.0.1",
    `--mysql-port=${port}`,
    `--mysql-user=${app.user}`,
    `--mysql-password=${app.password}`,
    `--mysql-db=${DB}`,
    "--tables=2",
    "--table-size=2000",
    ...extra,
  ]);
}

beforeAll(async () => {
  await cluster.rootQuery(cluster.primary, `CREATE DATABASE IF NOT EXISTS ${DB}`);
  await sysbench(cluster.primary.port, "prepare");
  await cluster.waitForReplication();
  ({ proxy, operations } = await startRoutedProxy(cluster, "policies/default.policy", {
    pool: { minIdle: 0, maxIdle: 16 },
  }));
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await cluster.rootQuery(cluster.primary, `DROP DATABASE IF EXISTS ${DB}`);
});

describe("sysbench through Sluice with read/write splitting", () => {
  for (const ps of ["auto", "disable"]) {
    it(`oltp_read_only --skip_trx=on --db-ps-mode=${ps}: reads on the replicas, zero errors`, async () => {
      const before = await Promise.all(cluster.replicas.map((r) => cluster.comCounters(r)));
      const { stdout } = await sysbench(
        proxy.port,
        "run",
        "--threads=4",
        "--time=8",
        "--skip_trx=on",
        `--db-ps-mode=${ps}`,
      );
      const after = await Promise.all(cluster.replicas.map((r) => cluster.comCounters(r)));
      const errors = Number(/ignored errors:\s+(\d+)/.exec(stdout)?.[1] ?? "-1");
      const queries = Number(/queries:\s+(\d+)/.exec(stdout)?.[1] ?? "0");
      expect(errors, stdout).toBe(0);
      expect(queries).toBeGreaterThan(100);
      const counter = ps === "auto" ? "Com_stmt_execute" : "Com_select";
      const onReplicas = cluster.replicas.reduce(
        (n, _, i) => n + (after[i]?.[counter] ?? 0) - (before[i]?.[counter] ?? 0),
        0,
      );
      expect(onReplicas).toBeGreaterThan(queries * 0.9);
      expect(operations?.total()).toBe(0);
    }, 120_000);
  }
});
