/** Whether a planned switchover to `target` can start, and what it will touch (pure). */
import { inMaintenance, type PlanView, reachableProbe } from "./plan-view.js";

export type SwitchoverPlan =
  | {
      readonly kind: "switchover";
      readonly oldPrimary: string;
      readonly target: string;
      /** replicas to point at the target once it is promoted */
      readonly repoint: readonly string[];
    }
  | { readonly kind: "rejected"; readonly reason: string };

export function planSwitchover(view: PlanView, target: string): SwitchoverPlan {
  const { primary } = view;
  if (!view.servers.some((s) => s.name === target)) {
    return {
      kind: "rejected",
      reason: `unknown server "${target}" (known: ${view.servers.map((s) => s.name).join(", ")})`,
    };
  }
  if (primary === null)
    return { kind: "rejected", reason: "there is no primary to switch over from; use failover" };
  if (primary === target) return { kind: "rejected", reason: `${target} is already the primary` };
  const old = reachableProbe(view, primary);
  if (old === null || view.health.get(primary)?.health === "down") {
    return {
      kind: "rejected",
      reason: `primary ${primary} is down: a switchover needs it to hand over; use failover`,
    };
  }
  const t = reachableProbe(view, target);
  if (t === null || view.health.get(target)?.health === "down")
    return { kind: "rejected", reason: `${target} is down` };
  if (inMaintenance(view, target)) return { kind: "rejected", reason: `${target} is in maintenance` };
  if (view.roles.get(target)?.replicatesFrom !== primary) {
    return { kind: "rejected", reason: `${target} does not replicate from ${primary}` };
  }
  if (!t.logBin)
    return {
      kind: "rejected",
      reason: `${target} has no binary log (log_bin=OFF): replicas could not follow it`,
    };
  const broken = t.replication.find((ch) => !ch.sqlRunning || ch.ioRunning !== "Yes");
  if (broken !== undefined) {
    return {
      kind: "rejected",
      reason: `${target}'s replication is not running (IO ${broken.ioRunning}, SQL ${broken.sqlRunning ? "Yes" : "No"}): it could not catch up`,
    };
  }
  const repoint = view.servers
    .map((s) => s.name)
    .filter(
      (n) => n !== primary && n !== target && !inMaintenance(view, n) && reachableProbe(view, n) !== null,
    );
  return { kind: "switchover", oldPrimary: primary, target, repoint };
}
