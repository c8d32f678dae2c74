import type { Facts } from "../classifier/facts.js";
import type { Action } from "../policy/ir.js";
import { applyRewrite } from "./rewrite.js";
import type { SyncStep } from "./sync-plan.js";

/** What the session should do with one COM_QUERY. */
export type QueryStep =
  | {
      readonly kind: "forward";
      readonly server: string;
      readonly pool: string | null;
      readonly rule: string;
      /** the statement text to send (rewritten or expanded), or null to send the client's bytes */
      readonly sql: string | null;
      /** the COM_QUERY payload to send when `sql` was made from the client's bytes, else null */
      readonly bytes?: Buffer | null;
      /** USE / SET / replay steps the connection needs first */
      readonly sync: readonly SyncStep[];
      readonly waitGtid: { readonly gtid: string; readonly timeoutMs: number } | null;
      readonly facts: Facts;
      /** how long the statement may run before Sluice interrupts it (ms, 0: no limit) */
      readonly timeoutMs: number;
    }
  | {
      readonly kind: "deny";
      readonly rule: string;
      readonly code: number;
      readonly sqlstate: string;
      readonly message: string;
    }
  | {
      readonly kind: "respond";
      readonly rule: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly (string | number | null)[])[];
    }
  | { readonly kind: "unavailable"; readonly rule: string; readonly message: string };

/**
 * A COM_QUERY's plan: a step, or first read the earlier results only the held connection has
 * (SessionRouter.captureQueries) and plan again, since the statement must run elsewhere.
 */
export type QueryPlan = QueryStep | { readonly kind: "capture" };

/** The text to send instead of the client's, for rewrite and expand actions. */
export function statementText(action: Action, sql: string): string | null {
  if (action.kind === "rewrite") return applyRewrite(action.rewrite, sql);
  if (action.kind === "respond" && action.response.kind === "expand") return action.response.sql;
  return null;
}
