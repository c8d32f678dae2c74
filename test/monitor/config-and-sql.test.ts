import { describe, expect, it } from "vitest";
import { resolveMonitorConfig } from "../../src/monitor/config.js";
import { parseChannel } from "../../src/monitor/probe.js";
import { changeMasterSql, masterGtidWaitSql, promoteSql } from "../../src/monitor/replication-sql.js";
import { servers } from "./fixtures.js";

const base = {
  servers,
  credentials: { user: "m", password: "p" },
  replication: { user: "r", password: "x'y" },
};

describe("monitor configuration", () => {
  it("fills the documented defaults", () => {
    const r = resolveMonitorConfig(base);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(r.config).toMatchObject({
      intervalMs: 1000,
      failover: "manual",
      failAfter: 3,
      lockName: "sluice_monitor",
    });
  });

  it("lists every problem with the value that caused it", () => {
    const r = resolveMonitorConfig({
      ...base,
      servers: [servers[0]!, servers[0]!],
      intervalMs: 0,
      maxLagSeconds: 2,
      lagRecoverSeconds: 3,
      hooks: [{ on: ["*"], command: [], timeoutMs: 100 }],
    });
    expect(r).toEqual({
      kind: "invalid",
      problems: [
        "monitor.intervalMs must be a positive integer (got 0)",
        "monitor.lagRecoverSeconds (3) must be between 0 and maxLagSeconds (2); a lower threshold to come back is what prevents flapping",
        'server name "a" is used twice',
        "monitor.hooks[0].command is empty",
      ],
    });
  });

  it("ignores options given as undefined", () => {
    const r = resolveMonitorConfig({ ...base, intervalMs: undefined });
    expect(r.kind === "ok" && r.config.intervalMs).toBe(1000);
  });
});

describe("replication statements", () => {
  it("quote what they are given", () => {
    expect(changeMasterSql(servers[1]!, base.replication, 1)).toBe(
      "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=3302, MASTER_USER='r', MASTER_PASSWORD='x\\'y', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
    );
    expect(changeMasterSql(servers[1]!, base.replication, 1, "east")).toMatch(/^CHANGE MASTER 'east' TO /);
    expect(masterGtidWaitSql("0-1-5", 2500)).toBe("SELECT MASTER_GTID_WAIT('0-1-5', 2.500) AS waited");
    expect(promoteSql(["east"])).toEqual([
      "STOP ALL SLAVES",
      "RESET SLAVE ALL",
      "RESET SLAVE 'east' ALL",
      "SET GLOBAL read_only = 0",
    ]);
  });
});

describe("SHOW ALL SLAVES STATUS rows", () => {
  it("become channels; NULL lag stays null", () => {
    const ch = parseChannel({
      Connection_name: "",
      Master_Host: "127.0.0.1",
      Master_Port: 3301,
      Slave_IO_Running: "Connecting",
      Slave_SQL_Running: "No",
      Seconds_Behind_Master: null,
      Gtid_IO_Pos: "0-1-9",
      Last_IO_Errno: 2003,
      Last_IO_Error: "error reconnecting to master",
      Last_SQL_Errno: 0,
      Last_SQL_Error: "",
    });
    expect(ch).toEqual({
      connectionName: "",
      masterHost: "127.0.0.1",
      masterPort: 3301,
      ioRunning: "Connecting",
      sqlRunning: false,
      secondsBehindMaster: null,
      gtidIoPos: "0-1-9",
      lastIoErrno: 2003,
      lastIoError: "error reconnecting to master",
      lastSqlErrno: 0,
      lastSqlError: "",
    });
  });
});
