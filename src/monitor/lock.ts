/**
 * Cooperative monitor lock (I/O): applies a lock decision on the monitor's own connections.
 * GET_LOCK belongs to the session, so the lock on a server lasts as long as that server's
 * monitor connection; a dead or reset connection gives it up by itself.
 */
import mysql from "mysql2/promise";
import {
  type CooperativeMode,
  decideLocks,
  heldServers,
  type LockObservation,
  majorityOf,
  quorumBase,
} from "./lock-plan.js";
import type { ServerLink } from "./probe.js";
import type { ProbeResult } from "./types.js";

export interface LockState {
  readonly leader: boolean;
  readonly held: readonly string[];
  readonly cooldownChecks: number;
}

export const initialLockState: LockState = { leader: false, held: [], cooldownChecks: 0 };

export function observeLocks(
  probes: ReadonlyMap<string, ProbeResult>,
  servers: readonly string[],
): LockObservation[] {
  return servers.map((server) => {
    const p = probes.get(server);
    return p?.kind === "reachable"
      ? { server, reachable: true, owner: p.lockOwner, ours: p.connectionId }
      : { server, reachable: false, owner: null, ours: -1 };
  });
}

export async function updateLocks(
  links: ReadonlyMap<string, ServerLink>,
  probes: ReadonlyMap<string, ProbeResult>,
  lockName: string,
  previous: LockState,
  random: number,
  mode: CooperativeMode = "majority_of_all",
): Promise<LockState> {
  const names = [...links.keys()];
  const observations = observeLocks(probes, names);
  const base = quorumBase(mode, observations);
  if (base === null) {
    // cooperative: none — this instance acts alone; locks it took under another mode go back
    await releaseAll(links, previous.held, lockName);
    return { leader: true, held: [], cooldownChecks: 0 };
  }
  const decision = decideLocks(observations, base, previous.cooldownChecks, random);
  const held = new Set(heldServers(observations));
  const lock = mysql.escape(lockName);
  await Promise.all([
    ...decision.acquire.map(async (name) => {
      const rows = await links
        .get(name)
        ?.query(`SELECT GET_LOCK(${lock}, 0) AS got`)
        .catch(() => []);
      if (Number(rows?.[0]?.got) === 1) held.add(name);
    }),
    ...decision.release.map(async (name) => {
      held.delete(name);
      await links
        .get(name)
        ?.query(`SELECT RELEASE_LOCK(${lock})`)
        .catch(() => undefined);
    }),
  ]);
  return {
    // no server answering is no majority (majority_of_running would otherwise need 1 of 0)
    leader: held.size > 0 && held.size >= majorityOf(base),
    held: [...held].sort(),
    cooldownChecks: decision.cooldownChecks,
  };
}

/** Gives every lock back (on stop), so another instance can take over at once. */
export async function releaseAll(
  links: ReadonlyMap<string, ServerLink>,
  held: readonly string[],
  lockName: string,
) {
  const lock = mysql.escape(lockName);
  await Promise.all(
    held.map((n) =>
      links
        .get(n)
        ?.query(`SELECT RELEASE_LOCK(${lock})`)
        .catch(() => undefined),
    ),
  );
}
