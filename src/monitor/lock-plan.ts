/**
 * Cooperative monitoring (pure decision): several Sluice instances watch one cluster, and only
 * the one holding GET_LOCK(lockName) on a majority of servers acts (fails over, fences, switches
 * over); the others only observe. Which majority is `cooperative` (MaxScale's
 * cooperative_monitoring_locks):
 * - majority_of_all: of every configured server. Two instances cut off from each other can never
 *   both act, but with most servers dead nobody acts (a lone survivor is never promoted).
 * - majority_of_running: of the servers that answer this check. Instances that reach the same
 *   servers can never both hold a majority of them (GET_LOCK is exclusive per server); a lone
 *   instance with one server left holds its lock and acts. Only instances that see different
 *   sets of servers (a network partition between them) can both act.
 * - none: no lock, every instance acts (one Sluice only).
 *
 * An instance holding locks on a minority while the rest are taken or unreachable releases them
 * and stays away for a random number of checks, so two instances splitting the locks do not
 * keep blocking each other.
 */

export interface LockObservation {
  readonly server: string;
  /** the probe succeeded this check */
  readonly reachable: boolean;
  /** connection id holding the lock on that server, null when free */
  readonly owner: number | null;
  /** our monitor connection's id on that server */
  readonly ours: number;
}

export interface LockDecision {
  readonly acquire: readonly string[];
  readonly release: readonly string[];
  /** checks to skip acquiring (after giving up a minority) */
  readonly cooldownChecks: number;
}

export type CooperativeMode = "majority_of_all" | "majority_of_running" | "none";
export const cooperativeModes: readonly CooperativeMode[] = [
  "majority_of_all",
  "majority_of_running",
  "none",
];

/** How many servers the majority is taken of under `mode`; null: no lock is needed (none). */
export function quorumBase(mode: CooperativeMode, observations: readonly LockObservation[]): number | null {
  if (mode === "none") return null;
  return mode === "majority_of_all" ? observations.length : observations.filter((o) => o.reachable).length;
}

export function majorityOf(serverCount: number): number {
  return Math.floor(serverCount / 2) + 1;
}

export function heldServers(observations: readonly LockObservation[]): string[] {
  return observations.filter((o) => o.reachable && o.owner === o.ours).map((o) => o.server);
}

export function decideLocks(
  observations: readonly LockObservation[],
  serverCount: number,
  cooldownRemaining: number,
  /** a number in [0, 1) */
  random: number,
): LockDecision {
  const held = heldServers(observations);
  const free = observations.filter((o) => o.reachable && o.owner === null).map((o) => o.server);
  const majority = majorityOf(serverCount);
  if (held.length >= majority) return { acquire: free, release: [], cooldownChecks: 0 };
  if (cooldownRemaining > 0) return { acquire: [], release: held, cooldownChecks: cooldownRemaining - 1 };
  if (held.length + free.length >= majority) return { acquire: free, release: [], cooldownChecks: 0 };
  return { acquire: [], release: held, cooldownChecks: held.length > 0 ? 1 + Math.floor(random * 3) : 0 };
}
