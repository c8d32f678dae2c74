import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { type Answer, answerOf } from "./answer.js";
import type { Step } from "./grammar.js";
import { type Endpoint, tableName } from "./tables.js";

/** One side of a session: where it connects and in which database its table is. */
export interface Side {
  readonly endpoint: Endpoint;
  readonly db: string;
}

/** A statement's text on one side: the placeholders of grammar.ts filled in. */
export function bind(sql: string, db: string, n: number): string {
  return sql
    .replaceAll("{t}", tableName(n))
    .replaceAll("{db}", db)
    .replaceAll("{lock}", `${db}.${tableName(n)}`);
}

/**
 * Runs a script on a fresh connection of its own and returns each step's answer (null for a
 * pause). A connection Sluice (or the server) closes leaves the remaining statements answered by
 * mysql2's client error, which is compared like any other answer.
 */
export async function runScript(side: Side, n: number, script: readonly Step[]): Promise<(Answer | null)[]> {
  const names = { db: side.db, table: tableName(n) };
  const c = await mysql.createConnection({
    ...side.endpoint,
    database: side.db,
    connectTimeout: 10_000,
    // every integer as a string: BIGINT results (LAST_INSERT_ID(), COUNT(*)) compare exactly
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  // an error event after a failure must not crash the run: the failure is in the answers
  c.on("error", () => undefined);
  const out: (Answer | null)[] = [];
  try {
    for (const step of script) {
      if ("pauseMs" in step) {
        if (step.pauseMs > 0) await sleep(step.pauseMs);
        out.push(null);
        continue;
      }
      out.push(await answerOf(c, bind(step.sql, side.db, n), step.binary, names));
    }
  } finally {
    await c.end().catch(() => c.destroy());
  }
  return out;
}
