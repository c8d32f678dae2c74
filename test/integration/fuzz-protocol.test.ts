import { monitorEventLoopDelay } from "node:perf_hooks";
import fc from "fast-check";
import type mysql from "mysql2/promise";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { useCluster } from "../support/cluster.js";
import { fuzzBatch } from "../support/fault-fuzz-cases.js";
import { type FuzzOutcome, runFuzzCase } from "../support/fault-fuzz-runner.js";
import { waitFor } from "../support/fault-wait.js";
import { connectThrough, startTestProxy } from "./proxy-helpers.js";

/**
 * Malformed traffic against a live Sluice. Short by default (CI); SLUICE_FUZZ_RUNS=N runs N
 * batches of BATCH concurrent sessions (README: "Fuzzing and fault injection").
 */
const RUNS = Number(process.env.SLUICE_FUZZ_RUNS ?? 12);
const BATCH = 6;
// Sluice's idle and handshake timeouts in this test: they end the lying-length cases, and must
// stay well above the event-loop stalls of a loaded CI machine, or the control session (idle
// between two of its queries during a stall) would be cut off too.
const IDLE_MS = 3000;

const cluster = useCluster();
let proxy: ProxyHandle;
let control: mysql.Connection;
const errorLines: string[] = [];
let controlQueries = 0;
const controlErrors: string[] = [];
let stopControl = false;
let controlLoop: Promise<void>;
const loopDelay = monitorEventLoopDelay({ resolution: 20 });

beforeAll(async () => {
  loopDelay.enable();
  // error-level lines mean an input reached code that did not expect it (a crash caught late)
  const logger = pino({ level: "error" }, { write: (line: string) => void errorLines.push(line) });
  proxy = await startTestProxy(cluster, {
    logger,
    maxPacketSize: 1024 * 1024,
    timeouts: { clientIdleMs: IDLE_MS, handshakeMs: IDLE_MS },
    // the wrong-password cases would otherwise get 127.0.0.1 blocked (tested in security-auth)
    loginRateLimit: false,
  });
  control = await connectThrough(proxy, cluster);
  // ping keeps the control session alive past clientIdleMs between its queries
  controlLoop = (async () => {
    while (!stopControl) {
      try {
        const [rows] = await control.query("SELECT ? AS n", [controlQueries]);
        expect(rows).toEqual([{ n: controlQueries }]);
        controlQueries++;
      } catch (e) {
        controlErrors.push((e as Error).message);
        if (controlErrors.length <= 3)
          process.stderr.write(`[fuzz] control session error: ${(e as Error).message}\n`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
});

afterAll(async () => {
  loopDelay.disable();
  process.stderr.write(`[fuzz] longest event-loop stall: ${Math.round(loopDelay.max / 1e6)} ms\n`);
  stopControl = true;
  await controlLoop;
  await control?.end().catch(() => {});
  await proxy?.close();
});

/** Backend threads of the app user on the primary, as the server sees them. */
async function appThreadsOnPrimary(): Promise<number> {
  const rows = await cluster.rootQuery(
    cluster.primary,
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = '${cluster.info.users.app.user}'`,
  );
  return Number(rows[0]?.n);
}

describe(`protocol fuzzing (${RUNS} batches of ${BATCH} concurrent malformed sessions)`, () => {
  it(
    "answers every malformed session with an error or a close, and only that session",
    async () => {
      const { app } = cluster.info.users;
      const failures: FuzzOutcome[] = [];
      const byLabel = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fuzzBatch(BATCH), async (batch) => {
          const outcomes = await Promise.all(
            batch.map((c) =>
              runFuzzCase(
                proxy.host,
                proxy.port,
                c,
                { user: app.user, password: app.password },
                IDLE_MS + 3000,
              ),
            ),
          );
          for (const o of outcomes) {
            const kind = o.label.replace(/0x[0-9a-f]+/, "0x..");
            byLabel.set(kind, (byLabel.get(kind) ?? 0) + 1);
            if (!o.ok) {
              failures.push(o);
              process.stderr.write(
                `[fuzz] FAILED ${JSON.stringify(o)} case=${JSON.stringify(batch[outcomes.indexOf(o)])}\n`,
              );
            }
          }
          return outcomes.every((o) => o.ok);
        }),
        {
          numRuns: RUNS,
          // a failing batch is reported as is (shrinking batches of live sessions takes minutes)
          endOnFailure: true,
          ...(process.env.SLUICE_FUZZ_SEED ? { seed: Number(process.env.SLUICE_FUZZ_SEED) } : {}),
        },
      );
      expect(failures).toEqual([]);
      expect(byLabel.size).toBeGreaterThan(3);
      process.stderr.write(`[fuzz] cases by kind: ${JSON.stringify(Object.fromEntries(byLabel))}\n`);
    },
    60_000 + RUNS * 10_000,
  );

  it("kept the control session working, logged no unexpected failure, leaked no backend connection", async () => {
    // every fuzz session ends: only the control session stays, holding its one backend connection
    await waitFor("fuzz sessions to end", () => proxy.counters.activeSessions === 1);
    await waitFor("leases to come back", () => proxy.busyBackendConnections("primary") === 1);
    // the server's view matches Sluice's: no backend thread Sluice forgot about
    await waitFor(
      "backend threads to match Sluice's count",
      async () => (await appThreadsOnPrimary()) === proxy.openBackendConnections("primary"),
    );
    const before = controlQueries;
    await waitFor("the control session to keep going", () => controlQueries > before + 3);
    expect(controlErrors).toEqual([]);
    expect(controlQueries).toBeGreaterThan(RUNS);
    expect(errorLines).toEqual([]);
    expect(proxy.counters.protocolErrors).toBeGreaterThan(0);
  });
});
