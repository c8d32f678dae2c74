/**
 * Executing a failover plan (I/O).
 *
 * 1. Freeze: stop the IO thread of every replica of the dead primary, so positions stop moving.
 * 2. Re-probe and re-plan on the frozen positions (the plan the check made may be a second old).
 * 3. Let the candidate apply its whole relay log (MASTER_GTID_WAIT on what it received): its
 *    acknowledged transactions are in there.
 * 4. Promote: STOP ALL SLAVES, RESET SLAVE ALL, read_only=0.
 * 5. Repoint the other replicas with MASTER_USE_GTID=slave_pos: they resume from what they
 *    applied, reading from the new primary's binlog.
 * If the plan is blocked or catch-up fails before promotion, IO threads are restarted so the
 * cluster is as it was.
 */

import type { Credentials } from "./config.js";
import { type FailoverPlan, planFailover } from "./failover-plan.js";
import { gtidOrEmpty, mergeGtid } from "./gtid.js";
import type { PlanView } from "./plan-view.js";
import type { ServerLink } from "./probe.js";
import {
  changeMasterSql,
  masterGtidWaitSql,
  promoteSql,
  startSlaveSql,
  startSqlThreadSql,
  stopIoThreadSql,
  stopSlaveSql,
} from "./replication-sql.js";
import type { MonitoredServer } from "./types.js";

export interface RunContext {
  readonly links: ReadonlyMap<string, ServerLink>;
  readonly servers: readonly MonitoredServer[];
  readonly replication: Credentials;
  readonly catchUpTimeoutMs: number;
  readonly connectRetrySeconds: number;
  /** probes every server again and derives a fresh view */
  readonly reprobe: () => Promise<PlanView>;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * a switchover is about to fence `oldPrimary`: routing is told to send it no more writes, and
   * this resolves once the writes already under way there have finished (bounded)
   */
  readonly beforeFence?: (oldPrimary: string, target: string) => Promise<void>;
}

export type RunResult =
  | {
      readonly kind: "done";
      readonly oldPrimary: string;
      readonly newPrimary: string;
      /** the new primary's position when it became writable */
      readonly gtid: string;
      readonly repointed: readonly string[];
      readonly problems: readonly string[];
    }
  | { readonly kind: "failed"; readonly oldPrimary: string; readonly reason: string };

export function link(ctx: RunContext, name: string): ServerLink {
  const l = ctx.links.get(name);
  if (l === undefined) throw new Error(`no monitor connection for server ${name}`);
  return l;
}

export function server(ctx: RunContext, name: string): MonitoredServer {
  const s = ctx.servers.find((x) => x.name === name);
  if (s === undefined) throw new Error(`unknown server ${name}`);
  return s;
}

function channelNames(view: PlanView, name: string): string[] {
  const p = view.probes.get(name);
  return p?.kind === "reachable" ? p.replication.map((c) => c.connectionName) : [""];
}

function channelTo(view: PlanView, ctx: RunContext, replica: string, upstream: string | null): string {
  const p = view.probes.get(replica);
  if (p?.kind !== "reachable" || upstream === null) return "";
  const up = server(ctx, upstream);
  return p.replication.find((c) => c.masterPort === up.port)?.connectionName ?? "";
}

/** STOP SLAVE + CHANGE MASTER to `primary` + START SLAVE on the channel that pointed elsewhere. */
export async function repoint(
  ctx: RunContext,
  view: PlanView,
  replica: string,
  primary: string,
): Promise<void> {
  const upstream = view.roles.get(replica)?.replicatesFrom ?? null;
  const ch = channelTo(view, ctx, replica, upstream);
  const l = link(ctx, replica);
  await l.query(stopSlaveSql(ch));
  await l.query(changeMasterSql(server(ctx, primary), ctx.replication, ctx.connectRetrySeconds, ch));
  await l.query(startSlaveSql(ch));
}

async function restartIo(ctx: RunContext, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map((n) =>
      link(ctx, n)
        .query("START ALL SLAVES")
        .catch(() => undefined),
    ),
  );
}

export async function runFailover(ctx: RunContext, initial: PlanView): Promise<RunResult> {
  const first = planFailover(initial);
  if (first.kind === "blocked") return { kind: "failed", oldPrimary: first.oldPrimary, reason: first.reason };
  const oldPrimary = first.oldPrimary;
  const frozen = [first.candidate, ...first.repoint];
  ctx.log("failover: freezing replicas", { oldPrimary, replicas: frozen });
  await Promise.all(
    frozen.map((n) =>
      Promise.all(channelNames(initial, n).map((ch) => link(ctx, n).query(stopIoThreadSql(ch)))).catch(
        () => undefined,
      ),
    ),
  );

  const view = await ctx.reprobe();
  if (view.probes.get(oldPrimary)?.kind === "reachable") {
    await restartIo(ctx, frozen);
    return { kind: "failed", oldPrimary, reason: `${oldPrimary} answers again: failover abandoned` };
  }
  const plan: FailoverPlan = planFailover({ ...view, primary: oldPrimary });
  if (plan.kind === "blocked") {
    await restartIo(ctx, frozen);
    return { kind: "failed", oldPrimary, reason: plan.reason };
  }
  const candidate = plan.candidate;
  const c = link(ctx, candidate);
  ctx.log("failover: candidate applies its relay log", { candidate, gtid: plan.candidateGtid });
  try {
    for (const ch of channelNames(view, candidate))
      await c.query(startSqlThreadSql(ch)).catch(() => undefined);
    const waitMs = ctx.catchUpTimeoutMs;
    const rows = await c.query(masterGtidWaitSql(plan.candidateGtid, waitMs), waitMs + 5_000);
    if (Number(rows[0]?.waited) !== 0) {
      throw new Error(
        `${candidate} did not apply its relay log up to ${plan.candidateGtid} within ${waitMs} ms`,
      );
    }
    for (const sql of promoteSql(channelNames(view, candidate))) await c.query(sql);
  } catch (error) {
    await restartIo(ctx, frozen);
    return { kind: "failed", oldPrimary, reason: `promoting ${candidate} failed: ${String(error)}` };
  }
  const [pos] = await c.query("SELECT @@gtid_binlog_pos AS b, @@gtid_current_pos AS c").catch(() => []);
  const gtid = mergeGtid(gtidOrEmpty(String(pos?.b ?? "")), gtidOrEmpty(String(pos?.c ?? "")))
    .map((e) => `${e.domain}-${e.serverId}-${e.seqno}`)
    .join(",");
  ctx.log("failover: promoted", { candidate, gtid });

  const problems: string[] = [];
  const repointed: string[] = [];
  await Promise.all(
    plan.repoint.map(async (r) => {
      try {
        await repoint(ctx, view, r, candidate);
        repointed.push(r);
      } catch (error) {
        problems.push(
          `repointing ${r} at ${candidate} failed: ${String(error)} (the monitor retries at its next checks)`,
        );
      }
    }),
  );
  return {
    kind: "done",
    oldPrimary,
    newPrimary: candidate,
    gtid: gtid || plan.candidateGtid,
    repointed,
    problems,
  };
}
