import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { type LocalCluster, startLocalCluster } from "../../src/cluster/local-cluster.js";
import { type ServeProcess, startServe, waitFor } from "./serve-process.js";

/**
 * Issue 16, double fault that cannot be proven safe: a replica and the primary die together, so
 * nothing shows the survivor holds what the dead replica had (with semi-sync, an acknowledged
 * commit may live there only). One `sluice serve` (failover auto, default `cooperative`) must
 * then not promote, and say why in SHOW SERVERS, a hook event and its log. Own cluster: servers
 * are killed and kept dead.
 */
const HOOK_SCRIPT =
  "require('node:fs').appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + '\\n')";
let own: LocalCluster;
let cluster: ClusterControl;
let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "sluice-not-provable-"));
const hookOut = join(dir, "events.jsonl");

function hookEvents(): string[][] {
  if (!existsSync(hookOut)) return [];
  return readFileSync(hookOut, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as string[]);
}

beforeAll(async () => {
  own = await startLocalCluster();
  cluster = own.control;
  await cluster.setSemiSync(true);
  const command = [process.execPath, "-e", HOOK_SCRIPT, hookOut].map((a) => JSON.stringify(a)).join(", ");
  serve = await startServe(cluster, dir, {
    policyPath: join(process.cwd(), "policies/default.policy"),
    args: [],
    config: (yaml) =>
      `${yaml.replace("failover: off", "failover: auto")}\nhooks:\n  - on: [failover_failed]\n    command: [${command}]\n`,
  });
  await waitFor("every server up", async () =>
    (await serve.admin("SHOW SERVERS")).every((r) => r.state === "up"),
  );
});

afterAll(async () => {
  serve?.kill();
  await serve?.exited;
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a survivor that cannot be proven complete is not promoted", () => {
  it("replica and primary killed together: no promotion; the reason in SHOW SERVERS, the hook and the log", async () => {
    const [replica1, replica2] = cluster.replicas;
    if (replica1 === undefined || replica2 === undefined) throw new Error("two replicas expected");
    await Promise.all([cluster.kill(cluster.primary), cluster.kill(replica2)]);
    let primaryRow: Record<string, string> | undefined;
    await waitFor(
      "SHOW SERVERS to say the failover is blocked",
      async () => {
        primaryRow = (await serve.admin("SHOW SERVERS")).find((r) => r.name === cluster.primary.name);
        return /failover blocked/.test(primaryRow?.last_error ?? "");
      },
      20_000,
    );
    expect(primaryRow?.role).toBe("primary");
    expect(primaryRow?.last_error).toMatch(
      new RegExp(
        `cannot prove that ${replica1.name} holds everything the unreachable servers had: ${replica2.name}`,
      ),
    );
    await waitFor("the failover_failed hook", async () =>
      hookEvents().some(([kind]) => kind === "failover_failed"),
    );
    const hooked = hookEvents().find(([kind]) => kind === "failover_failed") ?? [];
    expect(hooked.join(" ")).toMatch(/cannot prove/);
    expect(serve.output()).toMatch(/monitor: failover_failed/);
    expect(serve.output()).toMatch(/cannot prove/);
    // nothing was promoted: the survivor is still a read-only replica, and /readyz says so
    const [ro] = await cluster.rootQuery(replica1, "SELECT @@read_only AS ro");
    expect(Number(ro?.ro)).toBe(1);
    expect((await fetch(`http://127.0.0.1:${serve.ports.http}/readyz`)).status).toBe(503);
  });
});
