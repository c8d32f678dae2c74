/**
 * Planned switchover (I/O): no acknowledged transaction is lost because the old primary stops
 * taking writes (read_only=1) before its final position is read, and the target is promoted
 * only once it has applied exactly that position. If the target cannot catch up in time the old
 * primary is made writable again and nothing else has changed.
 */
import { link, type RunContext, type RunResult, repoint, server } from "./failover-run.js";
import type { PlanView } from "./plan-view.js";
import {
  changeMasterSql,
  fenceSql,
  masterGtidWaitSql,
  promoteSql,
  resetSlaveAllSql,
  setGtidSlavePosSql,
  startSlaveSql,
} from "./replication-sql.js";
import { planSwitchover } from "./switchover-plan.js";

export async function runSwitchover(ctx: RunContext, view: PlanView, target: string): Promise<RunResult> {
  const plan = planSwitchover(view, target);
  if (plan.kind === "rejected")
    return { kind: "failed", oldPrimary: view.primary ?? "(none)", reason: plan.reason };
  const { oldPrimary } = plan;
  const old = link(ctx, oldPrimary);
  const t = link(ctx, target);
  const targetChannels = view.probes.get(target);
  const channels =
    targetChannels?.kind === "reachable" ? targetChannels.replication.map((c) => c.connectionName) : [""];

  // writes wait in Sluice from here (failover_hold_ms) instead of meeting read_only (error 1290)
  await ctx.beforeFence?.(oldPrimary, target);
  await old.query(fenceSql);
  const [row] = await old.query("SELECT @@gtid_binlog_pos AS pos");
  const finalPos = String(row?.pos ?? "");
  ctx.log("switchover: old primary read_only, waiting for the target", {
    oldPrimary,
    target,
    gtid: finalPos,
  });
  try {
    const waitMs = ctx.catchUpTimeoutMs;
    const [waited] = await t.query(masterGtidWaitSql(finalPos, waitMs), waitMs + 5_000);
    if (Number(waited?.waited) !== 0)
      throw new Error(`${target} did not reach ${finalPos} within ${waitMs} ms`);
    for (const sql of promoteSql(channels)) await t.query(sql);
  } catch (error) {
    await old.query("SET GLOBAL read_only = 0").catch(() => undefined);
    return {
      kind: "failed",
      oldPrimary,
      reason: `switchover to ${target} abandoned, ${oldPrimary} writable again: ${String(error)}`,
    };
  }

  const problems: string[] = [];
  const repointed: string[] = [];
  await Promise.all(
    plan.repoint.map(async (r) => {
      try {
        await repoint(ctx, view, r, target);
        repointed.push(r);
      } catch (error) {
        problems.push(`repointing ${r} at ${target} failed: ${String(error)}`);
      }
    }),
  );
  try {
    // The old primary continues exactly where it stopped: its binlog position is its slave position.
    await old.query("STOP ALL SLAVES");
    await old.query(resetSlaveAllSql());
    await old.query(setGtidSlavePosSql(finalPos));
    await old.query(changeMasterSql(server(ctx, target), ctx.replication, ctx.connectRetrySeconds));
    await old.query(startSlaveSql());
    repointed.push(oldPrimary);
  } catch (error) {
    problems.push(
      `${oldPrimary} is read_only but could not be made a replica of ${target}: ${String(error)}`,
    );
  }
  return { kind: "done", oldPrimary, newPrimary: target, gtid: finalPos, repointed, problems };
}
