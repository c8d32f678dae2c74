import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `condition` until it holds; throws with `what` after `timeoutMs`. For eventual states
 * (sessions ending, pools draining) — not a timing assertion: the bound only stops a stuck test.
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
