import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Monitor } from "../../src/monitor/index.js";
import { useCluster } from "../support/cluster.js";
import { monitorOn, restoreTopology, stateOf, waitForTopology } from "./monitor-support.js";

const cluster = useCluster();
const INTERVAL = 300;

// A hook that appends its argv and SLUICE_* environment to a file, one JSON line per run.
const HOOK_SCRIPT =
  "const fs=require('node:fs');" +
  "const env=Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith('SLUICE_')));" +
  "fs.appendFileSync(process.env.HOOK_OUT_FILE,JSON.stringify({argv:process.argv.slice(1),env})+'\\n');";

describe("monitor: health of the real cluster", () => {
  let monitor: Monitor;
  const hookDir = mkdtempSync(join(tmpdir(), "sluice-monitor-hook-"));
  const hookOut = join(hookDir, "events.jsonl");

  beforeAll(async () => {
    process.env.HOOK_OUT_FILE = hookOut;
    monitor = monitorOn(cluster, {
      intervalMs: INTERVAL,
      probeTimeoutMs: 500,
      graceChecks: 3,
      failover: "off",
      hooks: [
        { on: ["server_down", "server_up"], command: [process.execPath, "-e", HOOK_SCRIPT], timeoutMs: 5000 },
      ],
    });
    monitor.start();
    await waitForTopology(monitor, (t) => t.servers.every((s) => s.state === "up"), 10_000, "all servers up");
  });

  afterAll(async () => {
    await monitor.stop();
    rmSync(hookDir, { recursive: true, force: true });
    for (const r of cluster.replicas) await cluster.resume(r);
    await restoreTopology(cluster);
  });

  it("derives the harness topology: primary writable, both replicas replicating from it", () => {
    const t = monitor.topology;
    expect(t?.primary).toBe(cluster.primary.name);
    for (const r of cluster.replicas) {
      const s = t?.servers.find((x) => x.name === r.name);
      expect(s?.role).toBe("replica");
      expect(s?.replicatesFrom).toBe(cluster.primary.name);
      expect(s?.readOnly).toBe(true);
      expect(s?.acceptsReads).toBe(true);
      expect(s?.acceptsWrites).toBe(false);
    }
    expect(t?.servers.find((x) => x.name === cluster.primary.name)?.acceptsWrites).toBe(true);
    expect(t?.leader).toBe(true);
  });

  it("reports a stopped replica down within a couple of intervals, and back only after the grace period", async () => {
    const replica = cluster.replicas[0]!;
    await cluster.stop(replica);
    const stoppedAt = Date.now();
    const down = await waitForTopology(
      monitor,
      (t) => stateOf(t, replica.name) === "down",
      10_000,
      `${replica.name} down`,
    );
    const downAfterMs = Date.now() - stoppedAt;
    expect(down.servers.find((s) => s.name === replica.name)?.acceptsReads).toBe(false);
    expect(downAfterMs).toBeLessThan(10_000);

    // snapshots where the replica answered (no error) yet was kept out: the grace period
    let heldOut = 0;
    const off = monitor.subscribe((t) => {
      const s = t.servers.find((x) => x.name === replica.name);
      if (s?.state === "down" && s.lastError === null) heldOut++;
    });
    await cluster.start(replica);
    await waitForTopology(
      monitor,
      (t) => stateOf(t, replica.name) === "up",
      20_000,
      `${replica.name} back up`,
    );
    off();
    expect(heldOut).toBeGreaterThanOrEqual(2); // graceChecks - 1 good checks kept it out
    const counts = monitor.stats();
    expect(counts.transitions["up->down"]).toBeGreaterThanOrEqual(1);
    expect(counts.transitions["down->up"]).toBeGreaterThanOrEqual(1);
  });

  it("counts a paused (SIGSTOPped) replica down after timeouts, without stalling the checks", async () => {
    const replica = cluster.replicas[1]!;
    const checksBefore = monitor.stats().checks;
    await cluster.pause(replica);
    try {
      const t = await waitForTopology(
        monitor,
        (x) => stateOf(x, replica.name) === "down",
        10_000,
        `${replica.name} down`,
      );
      expect(t.servers.find((s) => s.name === replica.name)?.lastError).toMatch(/timed out|ETIMEDOUT/);
      // other servers kept being checked and stayed up
      expect(stateOf(t, cluster.primary.name)).toBe("up");
      expect(monitor.stats().checks).toBeGreaterThan(checksBefore + 1);
    } finally {
      await cluster.resume(replica);
    }
    await waitForTopology(monitor, (x) => stateOf(x, replica.name) === "up", 20_000, `${replica.name} back`);
  });

  it("ran the configured hook on server_down and server_up with the event as argv and SLUICE_* env", async () => {
    // hooks run asynchronously; wait for the lines of the stop/start and pause/resume above
    const deadline = Date.now() + 10_000;
    let lines: { argv: string[]; env: Record<string, string> }[] = [];
    while (Date.now() < deadline) {
      lines = readFileSync(hookOut, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      if (
        lines.filter((l) => l.env.SLUICE_EVENT === "server_up" && l.env.SLUICE_SERVER !== undefined).length >=
        5
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const downs = lines.filter((l) => l.env.SLUICE_EVENT === "server_down");
    expect(downs.map((l) => l.env.SLUICE_SERVER)).toEqual([
      cluster.replicas[0]!.name,
      cluster.replicas[1]!.name,
    ]);
    expect(downs[0]!.argv[0]).toBe("server_down");
    expect(downs[0]!.argv[1]).toBe(cluster.replicas[0]!.name);
    expect(downs[0]!.env.SLUICE_REASON).toMatch(/ECONNREFUSED/);
  });
});
