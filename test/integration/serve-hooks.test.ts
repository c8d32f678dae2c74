import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCluster } from "../support/cluster.js";
import { type ServeProcess, startServe, waitFor } from "./serve-process.js";

/**
 * The config's `hooks` run under a real `sluice serve`, alone and with two workers: the monitor's
 * start-up events (every server up, the primary found) reach the configured command, once each
 * (with workers only the primary process runs the monitor).
 */
const cluster = useCluster();

// argv: [node, out-file, event kind, event fields…]; appends the event as one JSON line
const HOOK_SCRIPT =
  "require('node:fs').appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + '\\n')";

function events(path: string): string[][] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as string[]);
}

describe.each([
  { mode: "one process", args: [] as string[] },
  { mode: "--workers 2", args: ["--workers", "2"] },
])("sluice serve hooks ($mode)", ({ args }) => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-hooks-"));
  const out = join(dir, "events.jsonl");
  let serve: ServeProcess;

  beforeAll(async () => {
    const command = [process.execPath, "-e", HOOK_SCRIPT, out].map((a) => JSON.stringify(a)).join(", ");
    serve = await startServe(cluster, dir, {
      policyPath: join(process.cwd(), "policies/default.policy"),
      args,
      config: (yaml) => `${yaml}\nhooks:\n  - on: [server_up, new_primary]\n    command: [${command}]\n`,
    });
  });

  afterAll(() => {
    serve?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the configured command on the monitor's events, once per event", async () => {
    const servers = cluster.info.servers.map((s) => s.name).sort();
    const ups = () => events(out).filter(([kind]) => kind === "server_up");
    await waitFor("a server_up hook per server", async () => ups().length >= servers.length, 15_000);
    const primary = () => events(out).filter(([kind]) => kind === "new_primary");
    await waitFor("the new_primary hook", async () => primary().length >= 1, 15_000);
    // time for a second monitor, were there one per worker, to run its hooks too
    await sleep(2000);
    expect(
      ups()
        .map(([, server]) => server)
        .sort(),
    ).toEqual(servers);
    expect(primary()).toHaveLength(1);
    expect(primary()[0]?.[1]).toBe(cluster.primary.name);
  });
});
