/**
 * The checked policy: names resolved, types checked, conditions lowered to predicates over
 * facts. Plain immutable data. `Action` is the contract with the routing code: a discriminated
 * union another module executes (route / deny / rewrite / respond, each with tag/log modifiers).
 */
import type { Span } from "./ast.js";
import type { BalanceMethod, PoolRole } from "./vocabulary.js";

/** A glob (`*` any run, `?` one character) or a regular expression. */
export type Pattern =
  | { readonly kind: "glob"; readonly glob: string }
  | { readonly kind: "regex"; readonly source: string; readonly flags: string };

/**
 * An atomic test on one dimension. `dim` is the fact name, or `hint.<key>` for hints.
 * Negations are `not` conditions around predicates, so every predicate is positive.
 */
export type Pred =
  | { readonly kind: "bool"; readonly dim: string }
  | { readonly kind: "enum-in"; readonly dim: string; readonly values: readonly string[] }
  | { readonly kind: "str-in"; readonly dim: string; readonly values: readonly string[] }
  | { readonly kind: "str-match"; readonly dim: string; readonly pattern: Pattern }
  | { readonly kind: "str-present"; readonly dim: string }
  | { readonly kind: "set-has"; readonly dim: string; readonly values: readonly string[] }
  | { readonly kind: "set-match"; readonly dim: string; readonly pattern: Pattern }
  | { readonly kind: "set-nonempty"; readonly dim: string };

export type Cond =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "pred"; readonly pred: Pred }
  | { readonly kind: "not"; readonly arg: Cond }
  | { readonly kind: "and"; readonly args: readonly Cond[] }
  | { readonly kind: "or"; readonly args: readonly Cond[] };

export const TRUE: Cond = { kind: "true" };
export const FALSE: Cond = { kind: "false" };

export type RouteTarget = { readonly kind: "pool"; readonly pool: string } | { readonly kind: "stay" };

export interface LogModifier {
  readonly message: string | null;
}

export type RespondCell =
  | { readonly kind: "value"; readonly value: string | number | null }
  /** filled from the session when answering: `user`, `schema`, `client_address` */
  | { readonly kind: "session"; readonly fact: "user" | "schema" | "client_address" };

export type Rewrite =
  | { readonly kind: "regex"; readonly source: string; readonly flags: string; readonly replacement: string }
  /** statements whose digest equals `template` are rewritten to `replacement`, whose `?`s take
   *  the original statement's literals in order */
  | { readonly kind: "digest"; readonly template: string; readonly replacement: string };

export type Response =
  | {
      readonly kind: "rows";
      readonly columns: readonly string[];
      readonly rows: readonly (readonly RespondCell[])[];
    }
  /** run `sql` instead of the statement (a macro such as `ls` → SHOW TABLES), routed to `target` */
  | { readonly kind: "expand"; readonly sql: string; readonly target: RouteTarget };

/**
 * How long a statement may run before Sluice interrupts it (error 1969): `after` ms, or `none`
 * (no limit, overriding the pool's and the config's). Absent: the pool's `statement_timeout`,
 * else the config's default.
 */
export type StatementTimeout = { readonly kind: "after"; readonly ms: number } | { readonly kind: "none" };

interface Modifiers {
  readonly tags: readonly string[];
  readonly log: LogModifier | null;
  /** `timeout 5s` / `timeout none` on a rule sending statements to a server */
  readonly timeout?: StatementTimeout;
}

export type Action =
  | ({ readonly kind: "route"; readonly target: RouteTarget } & Modifiers)
  | ({
      readonly kind: "deny";
      readonly code: number;
      readonly sqlstate: string;
      readonly message: string;
    } & Modifiers)
  | ({ readonly kind: "rewrite"; readonly rewrite: Rewrite; readonly target: RouteTarget } & Modifiers)
  | ({ readonly kind: "respond"; readonly response: Response } & Modifiers);

/** Where an action sends the statement: its route target, or null when Sluice answers itself. */
export function actionTarget(action: Action): RouteTarget | null {
  switch (action.kind) {
    case "route":
    case "rewrite":
      return action.target;
    case "respond":
      return action.response.kind === "expand" ? action.response.target : null;
    case "deny":
      return null;
  }
}

export type PoolSelect =
  | { readonly kind: "role"; readonly role: PoolRole }
  | {
      readonly kind: "servers";
      readonly servers: readonly { readonly name: string; readonly weight: number }[];
    };

export type Consistency =
  | { readonly kind: "none" }
  /** read-your-writes by waiting for the session's last GTID on the chosen replica */
  | { readonly kind: "causal" }
  /** after a write, the session's reads go to the primary for `windowMs` */
  | { readonly kind: "primary-after-write"; readonly windowMs: number };

export interface PoolSpec {
  readonly name: string;
  readonly select: PoolSelect;
  readonly balance: BalanceMethod;
  readonly maxLagMs: number | null;
  readonly fallback: { readonly kind: "pool"; readonly pool: string } | { readonly kind: "error" };
  readonly consistency: Consistency;
  /** `statement_timeout`: the limit for statements this pool's servers run (a rule's overrides it) */
  readonly statementTimeout?: StatementTimeout;
  readonly span: Span;
}

export interface CheckedRule {
  readonly name: string;
  /** position in first-match order */
  readonly index: number;
  readonly condition: Cond;
  readonly action: Action;
  readonly span: Span;
}

export interface CheckedPolicy {
  readonly files: readonly string[];
  readonly pools: readonly PoolSpec[];
  readonly rules: readonly CheckedRule[];
  readonly defaultAction: Action;
  readonly defaultSpan: Span;
}

/** Deny defaults: ER_UNKNOWN_ERROR-style code and the generic SQLSTATE. */
export const DEFAULT_DENY_CODE = 1105;
export const DEFAULT_DENY_SQLSTATE = "HY000";
