import type { SameConnectionNeed } from "../classifier/facts.js";

/** What a statement may ask of the one before it, on the same connection: what a hold keeps. */
export const HELD_RESULTS: ReadonlySet<SameConnectionNeed> = new Set<SameConnectionNeed>([
  "found_rows",
  "last_insert_id",
  "row_count",
  "warnings",
  "errors",
  "diagnostics",
]);

/** ER_UNKNOWN_ERROR with Sluice's reason: the honest answer when the values are gone. */
export function heldResultsGoneError(): { code: number; sqlstate: string; message: string } {
  return {
    code: 1105,
    sqlstate: "HY000",
    message:
      "Sluice gave the previous statement's backend connection back to the pool before this statement came " +
      "(the session was quiet; a connection is kept up to 1 s for the next statement, 50 ms when the pool is full), " +
      "so that statement's LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS() and warnings are gone: " +
      "ask for them right after the statement, or inside a transaction",
  };
}
