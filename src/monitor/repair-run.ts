/** Executing repair actions (I/O): fence, rejoin, repoint. Each action is independent. */
import { link, type RunContext, repoint, server } from "./failover-run.js";
import { formatGtidPosition, gtidOrEmpty, mergeGtid } from "./gtid.js";
import type { PlanView } from "./plan-view.js";
import type { RepairAction } from "./repair-plan.js";
import {
  changeMasterSql,
  fenceSql,
  resetSlaveAllSql,
  setGtidSlavePosSql,
  startSlaveSql,
} from "./replication-sql.js";
import type { MonitorEvent } from "./types.js";

export interface RepairOutcome {
  readonly events: MonitorEvent[];
  readonly problems: string[];
}

/** A server that replicates from nobody starts from everything it has (binlog and slave positions). */
async function rejoin(ctx: RunContext, name: string, primary: string): Promise<void> {
  const l = link(ctx, name);
  await l.query("STOP ALL SLAVES");
  await l.query(resetSlaveAllSql());
  const [row] = await l.query("SELECT @@gtid_binlog_pos AS b, @@gtid_current_pos AS c");
  const pos = mergeGtid(gtidOrEmpty(String(row?.b ?? "")), gtidOrEmpty(String(row?.c ?? "")));
  await l.query(setGtidSlavePosSql(formatGtidPosition(pos)));
  await l.query(changeMasterSql(server(ctx, primary), ctx.replication, ctx.connectRetrySeconds));
  await l.query(startSlaveSql());
}

export async function runRepairs(
  ctx: RunContext,
  view: PlanView,
  actions: readonly RepairAction[],
): Promise<RepairOutcome> {
  const events: MonitorEvent[] = [];
  const problems: string[] = [];
  for (const a of actions) {
    try {
      switch (a.kind) {
        case "set_read_only":
          await link(ctx, a.server).query(fenceSql);
          if (view.primary !== null) events.push({ kind: "fenced", server: a.server, primary: view.primary });
          break;
        case "refuse_rejoin":
          if (a.fence) {
            await link(ctx, a.server).query(fenceSql);
            if (view.primary !== null)
              events.push({ kind: "fenced", server: a.server, primary: view.primary });
          }
          events.push({ kind: "rejoin_refused", server: a.server, reason: a.reason });
          break;
        case "rejoin":
          if (a.fence) {
            await link(ctx, a.server).query(fenceSql);
            events.push({ kind: "fenced", server: a.server, primary: a.primary });
          }
          await rejoin(ctx, a.server, a.primary);
          events.push({ kind: "rejoined", server: a.server, primary: a.primary });
          break;
        case "repoint":
          await repoint(ctx, view, a.server, a.primary);
          events.push({ kind: "rejoined", server: a.server, primary: a.primary });
          break;
      }
    } catch (error) {
      problems.push(`${a.kind} ${a.server} failed: ${String(error)}`);
    }
  }
  return { events, problems };
}
