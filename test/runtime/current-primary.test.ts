import { describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config/index.js";
import { buildTopology } from "../../src/monitor/snapshot.js";
import type { ProbeResult, ServerHealth, Topology } from "../../src/monitor/types.js";
import { Command } from "../../src/protocol/constants.js";
import { adminServerRows } from "../../src/runtime/admin-servers.js";
import { primaryReachable } from "../../src/runtime/control-endpoints.js";
import { currentPrimary, followPrimary } from "../../src/runtime/current-primary.js";

/** Issue 16: "the primary" is read from the monitor's latest topology wherever it is needed. */
const names = ["db1", "db2", "db3"];
const health = (h: ServerHealth["health"]): ServerHealth => ({
  health: h,
  admin: "online",
  failures: h === "down" ? 3 : 0,
  goodStreak: 0,
  checks: 5,
  lastError: null,
});

function topology(
  primary: string,
  downs: readonly string[],
  failoverBlocked?: string,
  switchover?: { from: string; to: string },
): Topology {
  const probes = new Map<string, ProbeResult>(
    names.map((n): [string, ProbeResult] =>
      downs.includes(n)
        ? [n, { kind: "unreachable", server: n, at: 0, error: "connect ECONNREFUSED", definite: true }]
        : [
            n,
            {
              kind: "reachable",
              server: n,
              at: 0,
              readOnly: n !== primary,
              version: "10.11",
              serverId: 1,
              gtidCurrentPos: "",
              gtidBinlogPos: "",
              gtidSlavePos: "",
              logBin: true,
              logSlaveUpdates: true,
              replication: [],
              lockOwner: null,
              connectionId: 1,
            },
          ],
    ),
  );
  return buildTopology({
    seq: 1,
    at: 0,
    servers: names.map((name, i) => ({ name, host: "127.0.0.1", port: 3300 + i })),
    probes,
    health: new Map(names.map((n) => [n, health(downs.includes(n) ? "down" : "up")])),
    roles: {
      primary,
      roles: new Map(
        names.map((n) => [
          n,
          { role: n === primary ? "primary" : "replica", replicatesFrom: n === primary ? null : primary },
        ]),
      ),
      problems: [],
    },
    lags: new Map(),
    leader: true,
    failoverBlocked: failoverBlocked ?? null,
    switchover: switchover ?? null,
  });
}

describe("the current primary", () => {
  it("is the configured one only until the monitor's first check, then the writer it reports", () => {
    let t: Topology | null = null;
    const p = currentPrimary(() => t, "db1");
    expect([p.writer(), p.login()]).toEqual(["db1", "db1"]);
    t = topology("db2", ["db1"]);
    expect([p.writer(), p.login()]).toEqual(["db2", "db2"]);
  });

  it("while no server takes writes, logins go to a server taking reads and writes to the dead primary", () => {
    const p = currentPrimary(() => topology("db1", ["db1"]), "db1");
    expect(p.writer()).toBe("db1");
    expect(p.login()).toBe("db2");
  });

  it("the default chooser sends logins where login() says only when a policy routes the statements", () => {
    const p = currentPrimary(() => topology("db1", ["db1"]), "db1");
    const ctx = (command: number) => ({
      command,
      packet: { seq: 0, lastSeq: 0, payload: Buffer.alloc(0), raw: [] },
      current: undefined,
      inTransaction: false,
    });
    expect(followPrimary(p, true).choose(ctx(Command.Connect))).toBe("db2");
    expect(followPrimary(p, true).choose(ctx(Command.ChangeUser))).toBe("db2");
    expect(followPrimary(p, true).choose(ctx(Command.Query))).toBe("db1");
    expect(followPrimary(p, false).choose(ctx(Command.Connect))).toBe("db1");
  });

  it("/readyz is ready only while a server takes writes", () => {
    expect(primaryReachable(null)).toBe(false);
    expect(primaryReachable(topology("db1", []))).toBe(true);
    expect(primaryReachable(topology("db1", ["db1"]))).toBe(false);
    expect(primaryReachable(topology("db2", ["db1"]))).toBe(true);
  });

  it("a switchover pauses writes everywhere (they wait in Sluice) and /readyz stays ready", () => {
    const t = topology("db1", [], undefined, { from: "db1", to: "db2" });
    expect(t.servers.some((s) => s.acceptsWrites)).toBe(false);
    expect(primaryReachable(t)).toBe(true);
  });

  it("SHOW SERVERS says on the dead primary's row why no failover replaced it", () => {
    const config = names.map(
      (name, i): ServerConfig => ({
        name,
        host: "127.0.0.1",
        port: 3300 + i,
        role: i === 0 ? "primary" : "replica",
        weight: 1,
        tls: { mode: "disabled" },
      }),
    );
    const rows = adminServerRows(
      config,
      topology("db1", ["db1", "db3"], "cannot prove that db2 holds …"),
      () => ({
        busy: 0,
        idle: 0,
      }),
    );
    expect(rows[0]?.lastError).toBe("connect ECONNREFUSED; failover blocked: cannot prove that db2 holds …");
    expect(rows[2]?.lastError).toBe("connect ECONNREFUSED");
  });
});
