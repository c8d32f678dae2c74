/**
 * What the servers behind a proxy did during a run: statement counters summed over every server,
 * read as root over the unix socket (SHOW GLOBAL STATUS). Divided by the client's query count
 * this shows the round trips a proxy adds (COM_RESET_CONNECTION, USE, SET, pings…) and where
 * reads went.
 */

import { rootQuery } from "../../src/cluster/root-sql.js";
import type { ServerInfo } from "../../src/cluster/types.js";

/** The counters kept per run: client-visible work and the proxy's own chatter. */
const NAMES = [
  "Questions",
  "Com_select",
  "Com_insert",
  "Com_update",
  "Com_delete",
  "Com_begin",
  "Com_commit",
  "Com_stmt_prepare",
  "Com_stmt_execute",
  "Com_stmt_close",
  "Com_change_db",
  "Com_reset_connection",
  "Com_set_option",
  "Connections",
] as const;

export type CounterName = (typeof NAMES)[number];
export type Counters = Record<string, number>;

/** `{ "<server>.<name>": value }` for every server and counter. */
export async function readCounters(servers: readonly ServerInfo[]): Promise<Counters> {
  const out: Counters = {};
  const like = NAMES.map((n) => `'${n}'`).join(", ");
  await Promise.all(
    servers.map(async (s) => {
      const rows = await rootQuery(s, `SHOW GLOBAL STATUS WHERE Variable_name IN (${like})`);
      for (const r of rows) out[`${s.name}.${String(r.Variable_name)}`] = Number(r.Value);
    }),
  );
  return out;
}

export interface BackendActivity {
  /** per counter, summed over all servers */
  readonly total: Partial<Record<CounterName, number>>;
  /** Com_select per server: where the reads went */
  readonly selectsByServer: Record<string, number>;
}

export function activityBetween(
  before: Counters,
  after: Counters,
  servers: readonly ServerInfo[],
): BackendActivity {
  const total: Partial<Record<CounterName, number>> = {};
  const selectsByServer: Record<string, number> = {};
  for (const name of NAMES) {
    let sum = 0;
    for (const s of servers) sum += (after[`${s.name}.${name}`] ?? 0) - (before[`${s.name}.${name}`] ?? 0);
    if (sum !== 0) total[name] = sum;
  }
  for (const s of servers)
    selectsByServer[s.name] = (after[`${s.name}.Com_select`] ?? 0) - (before[`${s.name}.Com_select`] ?? 0);
  return { total, selectsByServer };
}
