import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseSysbench,
  type SysbenchTarget,
  sysbenchPrepare,
  sysbenchRun,
} from "../../bench/proxy-sysbench-support.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { startTestProxy } from "./proxy-helpers.js";

const cluster = useCluster();
let proxy: ProxyHandle;

function haveSysbench(): boolean {
  try {
    execFileSync("sysbench", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// sysbench comes from the apt package "sysbench"; CI installs it. Without it this file fails
// loudly rather than passing on nothing.
describe("sysbench oltp_read_write through Sluice", () => {
  beforeAll(async () => {
    if (!haveSysbench()) throw new Error("sysbench is not installed (apt-get install -y sysbench)");
    const { app } = cluster.info.users;
    const direct: SysbenchTarget = {
      host: cluster.primary.host,
      port: cluster.primary.port,
      user: app.user,
      password: app.password,
      database: cluster.info.database,
    };
    await sysbenchPrepare(direct);
    proxy = await startTestProxy(cluster, { pool: { minIdle: 4, maxIdle: 32 } });
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
  });

  it("runs 30 s with 16 threads and zero errors", async () => {
    const { app } = cluster.info.users;
    const result = await sysbenchRun(
      {
        host: proxy.host,
        port: proxy.port,
        user: app.user,
        password: app.password,
        database: cluster.info.database,
      },
      16,
      30,
    );
    expect(result.errors, result.output).toBe(0);
    expect(result.ignoredErrors, result.output).toBe(0);
    expect(result.reconnects).toBe(0);
    expect(result.transactions).toBeGreaterThan(0);
    expect(proxy.counters.backendErrors).toBe(0);
    expect(proxy.counters.protocolErrors).toBe(0);
    expect(proxy.counters.forwarded).toBeGreaterThanOrEqual(result.queries);
  }, 200_000);

  it("the report parser reads the numbers it needs", () => {
    const sample = [
      "    transactions:                        2491   (246.51 per sec.)",
      "    queries:                             49820  (4930.10 per sec.)",
      "    ignored errors:                      0      (0.00 per sec.)",
      "    reconnects:                          0      (0.00 per sec.)",
      "         avg:                                   64.58",
      "         95th percentile:                      106.75",
    ].join("\n");
    expect(parseSysbench(sample)).toMatchObject({
      queries: 49820,
      qps: 4930.1,
      tps: 246.51,
      p95Ms: 106.75,
      avgMs: 64.58,
      errors: 0,
    });
  });
});
