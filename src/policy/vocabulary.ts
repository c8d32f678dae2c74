/**
 * The facts a policy condition can name, derived from the classifier's contract
 * (src/classifier/facts.ts) and the session facts (session-facts.ts). Value domains are the
 * classifier's own const arrays, so type checking and did-you-mean follow the classifier: a new
 * statement kind becomes usable in policies the moment the classifier lists it.
 */
import {
  type Facts,
  LOCKING_MODES,
  PRODUCERS,
  SAME_CONNECTION_NEEDS,
  type SessionEffect,
  STATEMENT_FAMILIES,
  STATEMENT_KINDS,
  type TransactionEffect,
} from "../classifier/facts.js";

/** Kinds of TransactionEffect; `satisfies` plus the exhaustiveness check keep it in step. */
export const TRANSACTION_EFFECT_KINDS = [
  "begin",
  "commit",
  "rollback",
  "rollback_to_savepoint",
  "savepoint",
  "release_savepoint",
  "xa",
] as const satisfies readonly TransactionEffect["kind"][];
const transactionKindsComplete: Exclude<
  TransactionEffect["kind"],
  (typeof TRANSACTION_EFFECT_KINDS)[number]
> extends never
  ? true
  : false = true;

export const SESSION_EFFECT_KINDS = [
  "use",
  "set_variable",
  "set_names",
  "set_charset",
  "set_autocommit",
  "set_transaction",
  "user_variable",
  "create_temporary_table",
  "drop_table",
  "prepare",
  "deallocate",
  "lock_tables",
  "unlock_tables",
  "get_lock",
  "release_lock",
] as const satisfies readonly SessionEffect["kind"][];
const sessionKindsComplete: Exclude<
  SessionEffect["kind"],
  (typeof SESSION_EFFECT_KINDS)[number]
> extends never
  ? true
  : false = true;

export const LOCK_WAITS = [
  "wait",
  "nowait",
  "skip_locked",
  "timeout",
] as const satisfies readonly Facts["lockWait"][];
const lockWaitsComplete: Exclude<Facts["lockWait"], (typeof LOCK_WAITS)[number]> extends never
  ? true
  : false = true;

export const PARSE_STATES = ["ok", "partial", "unknown"] as const satisfies readonly Facts["parse"][];
const parseStatesComplete: Exclude<Facts["parse"], (typeof PARSE_STATES)[number]> extends never
  ? true
  : false = true;

// Referenced so the compile-time completeness checks above are not flagged as unused.
export const VOCABULARY_COMPLETE =
  transactionKindsComplete && sessionKindsComplete && lockWaitsComplete && parseStatesComplete;

/** The transaction fact: the effect's kind, or `none` for statements without one. */
export const TRANSACTION_VALUES = ["none", ...TRANSACTION_EFFECT_KINDS] as const;

export type FactType =
  | { readonly kind: "bool" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** optional: the value may be absent (null), e.g. the session's schema or a hint */
  | { readonly kind: "string"; readonly optional: boolean }
  | { readonly kind: "enum-set"; readonly values: readonly string[] }
  /** element: how elements match literals and patterns; `table` understands `schema.name` */
  | { readonly kind: "string-set"; readonly element: "plain" | "table" };

export interface FactDef {
  readonly name: string;
  readonly type: FactType;
  readonly source: "statement" | "session";
  /** `hint.<key>` takes a key after the dot */
  readonly keyed: boolean;
  readonly doc: string;
}

const bool = { kind: "bool" } as const;
const enumOf = (values: readonly string[]): FactType => ({ kind: "enum", values });
const text = (optional: boolean): FactType => ({ kind: "string", optional });

export const FACTS: readonly FactDef[] = [
  { name: "kind", type: enumOf(STATEMENT_KINDS), source: "statement", keyed: false, doc: "statement kind" },
  { name: "family", type: enumOf(STATEMENT_FAMILIES), source: "statement", keyed: false, doc: "kind group" },
  { name: "writes", type: bool, source: "statement", keyed: false, doc: "changes data or state" },
  { name: "locking", type: enumOf(LOCKING_MODES), source: "statement", keyed: false, doc: "locking clause" },
  { name: "lock_wait", type: enumOf(LOCK_WAITS), source: "statement", keyed: false, doc: "NOWAIT etc." },
  {
    name: "transaction",
    type: enumOf(TRANSACTION_VALUES),
    source: "statement",
    keyed: false,
    doc: "transaction effect of the statement",
  },
  { name: "implicit_commit", type: bool, source: "statement", keyed: false, doc: "commits implicitly" },
  {
    name: "session_effects",
    type: { kind: "enum-set", values: SESSION_EFFECT_KINDS },
    source: "statement",
    keyed: false,
    doc: "kinds of session state the statement changes",
  },
  {
    name: "same_connection",
    type: { kind: "enum-set", values: SAME_CONNECTION_NEEDS },
    source: "statement",
    keyed: false,
    doc: "needs the previous statement's connection",
  },
  {
    name: "produces",
    type: { kind: "enum-set", values: PRODUCERS },
    source: "statement",
    keyed: false,
    doc: "state a later statement may ask for",
  },
  {
    name: "tables",
    type: { kind: "string-set", element: "table" },
    source: "statement",
    keyed: false,
    doc: "tables referenced",
  },
  {
    name: "write_tables",
    type: { kind: "string-set", element: "table" },
    source: "statement",
    keyed: false,
    doc: "tables written",
  },
  {
    name: "functions",
    type: { kind: "string-set", element: "plain" },
    source: "statement",
    keyed: false,
    doc: "functions called",
  },
  {
    name: "system_variables",
    type: { kind: "string-set", element: "plain" },
    source: "statement",
    keyed: false,
    doc: "system variables read",
  },
  { name: "hint", type: text(true), source: "statement", keyed: true, doc: "comment hint value by key" },
  { name: "digest", type: text(false), source: "statement", keyed: false, doc: "normalised text" },
  { name: "fingerprint", type: text(false), source: "statement", keyed: false, doc: "digest hash" },
  {
    name: "parse",
    type: enumOf(PARSE_STATES),
    source: "statement",
    keyed: false,
    doc: "how well understood",
  },
  { name: "in_transaction", type: bool, source: "session", keyed: false, doc: "a transaction is open" },
  {
    name: "read_only_transaction",
    type: bool,
    source: "session",
    keyed: false,
    doc: "the open transaction is READ ONLY",
  },
  { name: "autocommit", type: bool, source: "session", keyed: false, doc: "autocommit is on" },
  { name: "pinned", type: bool, source: "session", keyed: false, doc: "session pinned to its backend" },
  {
    name: "temporary_table",
    type: bool,
    source: "session",
    keyed: false,
    doc: "the statement uses a temporary table of this session",
  },
  { name: "user", type: text(false), source: "session", keyed: false, doc: "login user" },
  { name: "client_address", type: text(false), source: "session", keyed: false, doc: "client IP" },
  { name: "schema", type: text(true), source: "session", keyed: false, doc: "default database" },
  {
    name: "previous_pool",
    type: text(true),
    source: "session",
    keyed: false,
    doc: "pool of the last statement",
  },
];

const BY_NAME = new Map(FACTS.map((f) => [f.name, f]));

export function factByName(name: string): FactDef | undefined {
  return BY_NAME.get(name);
}

export const POOL_ROLES = ["primary", "replica", "any"] as const;
export type PoolRole = (typeof POOL_ROLES)[number];
export const BALANCE_METHODS = ["least-active", "least-connections", "round-robin", "weighted"] as const;
export type BalanceMethod = (typeof BALANCE_METHODS)[number];
export const CONSISTENCY_MODES = ["none", "causal", "primary-after-write"] as const;
export const POOL_PROPERTIES = [
  "role",
  "servers",
  "balance",
  "max_lag",
  "fallback",
  "consistency",
  "statement_timeout",
] as const;
