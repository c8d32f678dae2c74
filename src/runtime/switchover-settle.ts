import { setTimeout as sleep } from "node:timers/promises";

/** How long a switchover waits at most for writes under way on the old primary. */
export const SETTLE_LIMIT_MS = 2_000;
const POLL_MS = 20;
/** quiet this long: a statement routed just before the pause has had time to take its connection */
const QUIET_MS = 60;

/**
 * What a switchover waits for once routing stopped sending writes to the old primary (the
 * topology pauses them): the statements already running there must finish before it turns
 * read_only, or they would fail with 1290. Done once none has run there for QUIET_MS, or after
 * SETTLE_LIMIT_MS (a long statement would otherwise hold the switchover up; it then meets
 * read_only, as it would on the server alone).
 */
export async function settleWrites(running: (server: string) => number, server: string): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let quietSince = running(server) === 0 ? Date.now() : Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    if (Date.now() - quietSince >= QUIET_MS) return;
    await sleep(POLL_MS);
    if (running(server) > 0) quietSince = Number.POSITIVE_INFINITY;
    else if (quietSince === Number.POSITIVE_INFINITY) quietSince = Date.now();
  }
}

/**
 * With `--workers N` the busy connections are in the workers; the primary process gives the
 * paused topology time to reach them (one IPC message) and statements under way time to end.
 */
export function settleAcrossWorkers(): Promise<void> {
  return sleep(250).then(() => undefined);
}
