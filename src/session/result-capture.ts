import type { BackendConnection } from "../pool/backend-connection.js";
import type { Condition } from "../routing/session-results.js";
import type { SessionRouter } from "../routing/session-router.js";
import { queryRows } from "./control-query.js";

/**
 * Reads, off the connection the session is about to give up, the earlier statements' results
 * only it has (LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT(), the warnings: see
 * routing/session-results.ts), so later statements get them on any connection. Costs nothing
 * when the router has them all already. A failure loses them: a later read gets error 1105.
 */
export async function captureResults(router: SessionRouter, conn: BackendConnection): Promise<void> {
  const queries = router.captureQueries();
  if (queries === null) return;
  // between statements the connection is idle (data from it would mean the server hung up)
  conn.setIdle(false);
  try {
    await readOff(router, conn, queries);
  } finally {
    conn.setIdle(true);
  }
}

async function readOff(
  router: SessionRouter,
  conn: BackendConnection,
  queries: { readonly scalars: string; readonly conditions: string | null },
): Promise<void> {
  const scalars = await queryRows(conn, queries.scalars).catch(() => undefined);
  const row = scalars?.kind === "rows" ? (scalars.rows[0] ?? null) : null;
  let conditions: Condition[] | null = null;
  if (queries.conditions !== null) {
    const listed = await queryRows(conn, queries.conditions).catch(() => undefined);
    if (listed?.kind === "rows")
      conditions = listed.rows.map((r) => ({
        level: r[0] ?? "",
        code: Number(r[1] ?? 0),
        message: r[2] ?? "",
      }));
  }
  router.captured(row, conditions);
}
