import { describe, expect, it } from "vitest";
import { type CheckState, checkStep } from "../../src/monitor/check-step.js";
import { emptyLagHistory } from "../../src/monitor/lag.js";
import { buildTopology, readers, writer } from "../../src/monitor/snapshot.js";
import type { ProbeResult } from "../../src/monitor/types.js";
import { channel, down, probeMap, replica, servers, up } from "./fixtures.js";

const thresholds = { downAfter: 2, graceChecks: 2, maxLagSeconds: 2, lagRecoverSeconds: 1 };
const start: CheckState = { roles: null, health: new Map(), lagHistory: emptyLagHistory };

function steps(rounds: Map<string, ProbeResult>[]) {
  let state = start;
  const out = [];
  for (const [i, probes] of rounds.entries()) {
    const s = checkStep(servers, thresholds, state, probes, i * 1000);
    state = s.state;
    out.push(s);
  }
  return out;
}

describe("one check, end to end (pure)", () => {
  it("publishes the new primary, the states and the lag of a replica that stopped applying", () => {
    const stuck = (pos: number) =>
      replica("c", "a", "0-1-1", `0-1-${pos}`, {
        replication: [channel("a", { sqlRunning: false, secondsBehindMaster: null })],
      });
    const rounds = [1, 2, 3, 4, 5].map((i) =>
      probeMap(up("a", { gtidBinlogPos: `0-1-${i}` }), replica("b", "a", `0-1-${i}`), stuck(i)),
    );
    const out = steps(rounds);
    expect(out[0]!.events).toContainEqual({ kind: "new_primary", server: "a", previous: null });
    // lag counts from the check that first saw the position the replica lacks: a lower bound,
    // exact to one interval
    expect(out.map((s) => s.lags.get("c"))).toEqual([0, 0, 1, 2, 3]);
    expect(out.map((s) => s.state.health.get("c")?.health)).toEqual(["up", "up", "up", "up", "lagging"]);
    expect(out.map((s) => s.lags.get("b"))).toEqual([0, 0, 0, 0, 0]);

    const last = out[4]!;
    const t = buildTopology({
      seq: 1,
      at: 5,
      servers,
      probes: rounds[4]!,
      health: last.state.health,
      roles: last.roles,
      lags: last.lags,
      leader: true,
    });
    expect(writer(t)?.name).toBe("a");
    expect(readers(t).map((s) => s.name)).toEqual(["b", "a"]);
    expect(Object.isFrozen(t.servers[0])).toBe(true);
  });

  it("keeps a dead primary as the primary, down, so failover can act", () => {
    const out = steps([
      probeMap(up("a"), replica("b", "a", ""), replica("c", "a", "")),
      probeMap(down("a", false), replica("b", "a", ""), replica("c", "a", "")),
      probeMap(down("a", false), replica("b", "a", ""), replica("c", "a", "")),
    ]);
    expect(out.map((s) => s.roles.primary)).toEqual(["a", "a", "a"]);
    expect(out.map((s) => s.state.health.get("a")?.health)).toEqual(["up", "up", "down"]);
    expect(out[2]!.state.health.get("a")?.failures).toBe(2);
  });
});

describe("which servers take reads", () => {
  it("a read-only server that replicates from nobody (a refused rejoin) takes no reads until it replicates again", () => {
    const detached = up("c", { readOnly: true });
    const rounds = [
      probeMap(up("a"), replica("b", "a", "0-1-1"), detached),
      probeMap(up("a"), replica("b", "a", "0-1-1"), detached),
      probeMap(up("a"), replica("b", "a", "0-1-1"), replica("c", "a", "0-1-1")),
    ];
    const out = steps(rounds);
    const readable = out.map((s, i) =>
      readers(
        buildTopology({
          seq: i,
          at: i,
          servers,
          probes: rounds[i]!,
          health: s.state.health,
          roles: s.roles,
          lags: s.lags,
          leader: true,
        }),
      ).map((r) => r.name),
    );
    expect(out[1]!.state.health.get("c")?.health).toBe("up");
    expect(readable).toEqual([
      ["b", "a"],
      ["b", "a"],
      ["b", "c", "a"],
    ]);
  });
});
