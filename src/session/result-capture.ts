import type { BackendConnection } from "../pool/backend-connection.js";
import type { Condition } from "../routing/session-results.js";
import type { SessionRouter } from "../routing/session-router.js";
import { capturedLiteral } from "../routing/user-variable-capture.js";
import { queryRows, queryTypedRows } from "./control-query.js";

type CaptureQueries = NonNullable<ReturnType<SessionRouter["captureQueries"]>>;

/**
 * Reads, off the connection the session is about to give up, what only it has: the earlier
 * statements' results (LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT(), the warnings: see
 * routing/session-results.ts) and held user variables (routing/user-variable-capture.ts), so
 * later statements get them on any connection. Costs nothing when the router has them all
 * already. A failure loses them: a later read gets error 1105.
 */
export async function captureResults(
  router: SessionRouter,
  conn: BackendConnection,
  counters?: { ownStatements: number },
): Promise<void> {
  const queries = router.captureQueries();
  if (queries === null) return;
  if (counters !== undefined)
    counters.ownStatements +=
      (queries.scalars === null ? 0 : 1) +
      (queries.conditions === null ? 0 : 1) +
      (queries.variables === null ? 0 : 1);
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
  queries: CaptureQueries,
): Promise<void> {
  if (queries.scalars !== null) await readResults(router, conn, queries.scalars, queries.conditions);
  // the results first: reading the variables would change FOUND_ROWS() and ROW_COUNT()
  if (queries.variables !== null) {
    const got = await queryTypedRows(conn, queries.variables.sql).catch(() => undefined);
    const row = got?.kind === "rows" ? got.rows[0] : undefined;
    if (got?.kind === "rows" && row !== undefined) {
      const literals = new Map<string, string>();
      queries.variables.names.forEach((name, i) => {
        const literal = capturedLiteral(
          got.types[i * 3] ?? 0,
          row[i * 3 + 1] ?? null,
          row[i * 3 + 2] ?? null,
        );
        if (literal !== null) literals.set(name, literal);
      });
      router.capturedVariables(literals);
    }
  }
}

async function readResults(
  router: SessionRouter,
  conn: BackendConnection,
  scalarsSql: string,
  conditionsSql: string | null,
): Promise<void> {
  const scalars = await queryRows(conn, scalarsSql).catch(() => undefined);
  const row = scalars?.kind === "rows" ? (scalars.rows[0] ?? null) : null;
  let conditions: Condition[] | null = null;
  if (conditionsSql !== null) {
    const listed = await queryRows(conn, conditionsSql).catch(() => undefined);
    if (listed?.kind === "rows")
      conditions = listed.rows.map((r) => ({
        level: r[0] ?? "",
        code: Number(r[1] ?? 0),
        message: r[2] ?? "",
      }));
  }
  router.captured(row, conditions);
}
