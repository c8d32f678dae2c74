/**
 * The facts the classifier reports about one SQL statement: the contract between the classifier
 * (which produces them) and the policy language (which routes on them). Pure data, JSON-friendly.
 *
 * Field names are part of the policy language's vocabulary (`kind`, `writes`, `locking`, …), so
 * renaming one is a breaking change for users' policies.
 */

/** Every statement kind the classifier can report. The policy checker uses this list for types and
 *  did-you-mean suggestions, so a kind exists only if it is listed here. */
export const STATEMENT_KINDS = [
  // data reads and writes
  "select",
  "select_into_file", // SELECT … INTO OUTFILE / DUMPFILE (writes a file on the server)
  "insert",
  "update",
  "delete",
  "replace",
  "load_data",
  "call",
  "do",
  "handler",
  "explain",
  "describe",
  // DDL
  "create_table",
  "alter_table",
  "drop_table",
  "rename_table",
  "truncate",
  "create_index",
  "drop_index",
  "create_view",
  "alter_view",
  "drop_view",
  "create_database",
  "alter_database",
  "drop_database",
  "create_procedure",
  "alter_procedure",
  "drop_procedure",
  "create_function",
  "alter_function",
  "drop_function",
  "create_trigger",
  "drop_trigger",
  "create_event",
  "alter_event",
  "drop_event",
  "create_sequence",
  "alter_sequence",
  "drop_sequence",
  "create_server",
  "alter_server",
  "drop_server",
  "create_other", // CREATE of an object not listed above
  "alter_other",
  "drop_other",
  // session state
  "set",
  "set_names",
  "set_charset",
  "set_transaction",
  "set_password",
  "use",
  // transactions
  "begin",
  "commit",
  "rollback",
  "rollback_to_savepoint",
  "savepoint",
  "release_savepoint",
  "xa",
  "lock_tables",
  "unlock_tables",
  // SQL-level prepared statements
  "prepare",
  "execute",
  "deallocate",
  // accounts and privileges
  "grant",
  "revoke",
  "create_user",
  "alter_user",
  "drop_user",
  "rename_user",
  "create_role",
  "drop_role",
  "set_role",
  "set_default_role",
  // table maintenance
  "analyze",
  "optimize",
  "check",
  "repair",
  "checksum",
  // SHOW family
  "show_databases",
  "show_tables",
  "show_columns",
  "show_index",
  "show_create",
  "show_table_status",
  "show_variables",
  "show_status",
  "show_processlist",
  "show_warnings",
  "show_errors",
  "show_grants",
  "show_master_status",
  "show_slave_status",
  "show_binlog",
  "show_engine",
  "show_other",
  // server administration and diagnostics
  "flush",
  "reset",
  "purge",
  "kill",
  "shutdown",
  "install_plugin",
  "uninstall_plugin",
  "change_master",
  "start_slave",
  "stop_slave",
  "binlog",
  "cache_index",
  "load_index",
  "signal",
  "resignal",
  "get_diagnostics",
  "help",
  "backup",
  "compound", // BEGIN NOT ATOMIC … END, IF / CASE / LOOP / WHILE / REPEAT / FOR outside a stored program
  "multi_statement", // several statements in one input: facts merged, writes if any part writes
  "empty", // only whitespace and comments
  "unknown", // not understood: always writes=true
] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** Coarse grouping of kinds, handy in policies (`family = ddl`). */
export const STATEMENT_FAMILIES = [
  "read", // select, show, explain, describe, do without side effects, handler read
  "write", // DML and everything else that changes data
  "ddl",
  "session", // set, use, set_names, …
  "transaction",
  "prepared", // prepare / execute / deallocate
  "account", // users, roles, grants
  "maintenance", // analyze, optimize, check, repair, checksum
  "admin", // flush, kill, replication control, plugins, shutdown, …
  "other",
] as const;
export type StatementFamily = (typeof STATEMENT_FAMILIES)[number];

export const LOCKING_MODES = ["none", "for_update", "for_share", "lock_in_share_mode"] as const;
export type LockingMode = (typeof LOCKING_MODES)[number];

/** Statements that need to run on the connection that ran the previous statement(s). */
export const SAME_CONNECTION_NEEDS = [
  "found_rows", // FOUND_ROWS()
  "last_insert_id", // LAST_INSERT_ID() without argument, @@identity, @@last_insert_id
  "row_count", // ROW_COUNT()
  "warnings", // SHOW WARNINGS, SHOW COUNT(*) WARNINGS, @@warning_count
  "errors", // SHOW ERRORS, SHOW COUNT(*) ERRORS, @@error_count
  "diagnostics", // GET DIAGNOSTICS
  "last_gtid", // @@last_gtid
  "sequence_lastval", // LASTVAL(s), PREVIOUS VALUE FOR s: the value this session last took from s
] as const;
export type SameConnectionNeed = (typeof SAME_CONNECTION_NEEDS)[number];

/** Things a statement produces that a later same-connection statement may ask for. */
export const PRODUCERS = ["calc_found_rows", "insert_id", "row_count"] as const;
export type Producer = (typeof PRODUCERS)[number];

export interface TableRef {
  /** Schema when qualified (`db.t`), else null (the session's default database). */
  readonly schema: string | null;
  readonly name: string;
}

export type TransactionEffect =
  | {
      readonly kind: "begin";
      /** READ ONLY → true, READ WRITE → false, unspecified → null. */
      readonly readOnly: boolean | null;
      readonly consistentSnapshot: boolean;
    }
  | { readonly kind: "commit"; readonly chain: boolean; readonly release: boolean }
  | { readonly kind: "rollback"; readonly chain: boolean; readonly release: boolean }
  | { readonly kind: "rollback_to_savepoint"; readonly name: string }
  | { readonly kind: "savepoint"; readonly name: string }
  | { readonly kind: "release_savepoint"; readonly name: string }
  | {
      readonly kind: "xa";
      readonly action: "start" | "end" | "prepare" | "commit" | "rollback" | "recover";
    };

/** A change this statement makes to the session's state (what must be synced or replayed). */
export type SessionEffect =
  | { readonly kind: "use"; readonly schema: string }
  | {
      readonly kind: "set_variable";
      /** lower-case variable name without @@ and scope prefix */
      readonly name: string;
      readonly scope: "session" | "global";
      /** the value expression's source text, as written */
      readonly valueText: string;
      /** true when the value is a literal (number, string, ON/OFF, DEFAULT), so it can be replayed */
      readonly literal: boolean;
    }
  | { readonly kind: "set_names"; readonly charset: string; readonly collation: string | null }
  | { readonly kind: "set_charset"; readonly charset: string }
  | { readonly kind: "set_autocommit"; readonly value: boolean | null }
  | {
      readonly kind: "set_transaction";
      /** next = `SET TRANSACTION` (next transaction only); session = `SET SESSION TRANSACTION` */
      readonly scope: "next" | "session" | "global";
      readonly readOnly: boolean | null;
      readonly isolation: string | null;
    }
  | {
      readonly kind: "user_variable";
      readonly name: string;
      /**
       * set = `SET @x = …`; select_into = `SELECT … INTO @x`; assign = `@x := …` inside an
       * expression; diagnostics = `GET DIAGNOSTICS @x = …`; call_argument = `CALL p(@x)`, which
       * sets @x when the parameter is OUT or INOUT (the classifier cannot see which: maybe)
       */
      readonly how: "set" | "select_into" | "assign" | "diagnostics" | "call_argument";
      readonly valueText: string | null;
      /**
       * `set` only: the value is the same wherever and whenever `valueText` is evaluated (literals,
       * operators and pure built-ins over them), so it can be copied; otherwise (a subquery, NOW(),
       * another variable, a `?`) the value lives on the connection that computed it
       */
      readonly literal: boolean;
    }
  | { readonly kind: "create_temporary_table"; readonly table: TableRef }
  | { readonly kind: "drop_table"; readonly tables: readonly TableRef[]; readonly temporaryOnly: boolean }
  | { readonly kind: "prepare"; readonly name: string }
  | { readonly kind: "deallocate"; readonly name: string }
  | { readonly kind: "lock_tables" }
  | { readonly kind: "unlock_tables" }
  | { readonly kind: "get_lock" }
  | { readonly kind: "release_lock"; readonly all: boolean };

/** A routing hint written in a comment, e.g. `/* sluice: route=primary *\/`. */
export interface Hint {
  readonly key: string;
  readonly value: string;
}

export interface Facts {
  readonly kind: StatementKind;
  readonly family: StatementFamily;
  /** Changes data, schema, privileges or server state. When the classifier is unsure: true. */
  readonly writes: boolean;
  readonly locking: LockingMode;
  /** NOWAIT / SKIP LOCKED / WAIT n given with a locking clause */
  readonly lockWait: "wait" | "nowait" | "skip_locked" | "timeout";
  readonly transaction: TransactionEffect | null;
  /** The server commits any open transaction before running this statement. */
  readonly implicitCommit: boolean;
  readonly sessionEffects: readonly SessionEffect[];
  readonly sameConnection: readonly SameConnectionNeed[];
  readonly produces: readonly Producer[];
  /** Every table referenced, in order of first appearance, without duplicates. */
  readonly tables: readonly TableRef[];
  /** The tables a write statement changes (subset of `tables`, or a new table for CREATE). */
  readonly writeTables: readonly TableRef[];
  /** lower-case names of the functions called */
  readonly functions: readonly string[];
  /** lower-case names of the system variables read (`@@x`, `@@session.x`) */
  readonly systemVariables: readonly string[];
  /**
   * lower-case names of the user variables read (`@x` anywhere but an assignment's target); not
   * part of the policy language: routing keeps such reads where a value Sluice could not copy lives
   */
  readonly userVariables?: readonly string[];
  readonly hints: readonly Hint[];
  /** Literal-free normalised text, e.g. `SELECT * FROM t WHERE id = ?` */
  readonly digest: string;
  /** Stable 64-bit fingerprint of the digest, as 16 lower-case hex digits */
  readonly fingerprint: string;
  /** ok: fully recognised; partial: kind known, some details guessed; unknown: not understood */
  readonly parse: "ok" | "partial" | "unknown";
  /** How many statements the input held (more than 1: the facts are merged, kind = multi_statement). */
  readonly statementCount?: number;
  /** PREPARE name FROM '…' and EXECUTE IMMEDIATE '…': the statement text when given as a literal. */
  readonly preparedSql?: string | null;
}

/** What the caller knows that changes how text is read. */
export interface ClassifyContext {
  /** sql_mode contains ANSI_QUOTES: "x" is an identifier, not a string */
  readonly ansiQuotes?: boolean;
  /** sql_mode contains NO_BACKSLASH_ESCAPES */
  readonly noBackslashEscapes?: boolean;
  /** server version for executable comments `/*!50700 … *\/` (e.g. 101100 for 10.11.0) */
  readonly serverVersion?: number;
  /** MariaDB: `/*M! … *\/` comments are executed */
  readonly mariadb?: boolean;
}
