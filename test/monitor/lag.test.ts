import { describe, expect, it } from "vitest";
import { gtidOrEmpty } from "../../src/monitor/gtid.js";
import {
  emptyLagHistory,
  gtidLagSeconds,
  pruneHistory,
  recordPrimaryPosition,
  replicaLagSeconds,
} from "../../src/monitor/lag.js";
import { channel, replica, up } from "./fixtures.js";

describe("lag from GTID history", () => {
  it("is the age of the oldest primary position the replica has not reached", () => {
    let h = recordPrimaryPosition(emptyLagHistory, "a", up("a", { gtidBinlogPos: "0-1-10" }), 1_000);
    h = recordPrimaryPosition(h, "a", up("a", { gtidBinlogPos: "0-1-10" }), 2_000); // unchanged: not recorded
    h = recordPrimaryPosition(h, "a", up("a", { gtidBinlogPos: "0-1-20" }), 3_000);
    expect(h.samples.map((s) => s.at)).toEqual([1_000, 3_000]);
    expect(gtidLagSeconds(h, gtidOrEmpty("0-1-5"), 5_000)).toBe(4);
    expect(gtidLagSeconds(h, gtidOrEmpty("0-1-10"), 5_000)).toBe(2);
    expect(gtidLagSeconds(h, gtidOrEmpty("0-1-20"), 5_000)).toBe(0);
  });

  it("grows while the SQL thread is stopped even though Seconds_Behind_Master is NULL", () => {
    let h = emptyLagHistory;
    const stuck = replica("b", "a", "0-1-3", "0-1-9", {
      replication: [channel("a", { sqlRunning: false, secondsBehindMaster: null })],
    });
    const lags: (number | null)[] = [];
    for (let i = 0; i < 5; i++) {
      h = recordPrimaryPosition(h, "a", up("a", { gtidBinlogPos: `0-1-${4 + i}` }), i * 1000);
      lags.push(replicaLagSeconds(h, stuck, i * 1000));
    }
    expect(lags).toEqual([0, 1, 2, 3, 4]);
  });

  it("takes Seconds_Behind_Master when it is larger, and null when nothing is known", () => {
    const b = replica("b", "a", "0-1-3", "0-1-3", {
      replication: [channel("a", { secondsBehindMaster: 42 })],
    });
    const h = recordPrimaryPosition(emptyLagHistory, "a", up("a", { gtidBinlogPos: "0-1-3" }), 0);
    expect(replicaLagSeconds(h, b, 1000)).toBe(42);
    const c = replica("c", "a", "0-1-3", "0-1-3", {
      replication: [channel("a", { secondsBehindMaster: null })],
    });
    expect(replicaLagSeconds(emptyLagHistory, c, 1000)).toBeNull();
  });

  it("forgets what every replica has reached, and restarts with a new primary", () => {
    let h = emptyLagHistory;
    for (let i = 1; i <= 4; i++) h = recordPrimaryPosition(h, "a", up("a", { gtidBinlogPos: `0-1-${i}` }), i);
    const pruned = pruneHistory(h, [gtidOrEmpty("0-1-3"), gtidOrEmpty("0-1-2")]);
    expect(pruned.samples.map((s) => s.at)).toEqual([3, 4]);
    expect(pruneHistory(h, [gtidOrEmpty("0-1-9")]).samples).toHaveLength(1);
    expect(
      recordPrimaryPosition(h, "b", up("b", { gtidBinlogPos: "0-2-9" }), 9).samples.map((s) => s.at),
    ).toEqual([9]);
  });
});
