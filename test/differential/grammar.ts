import fc from "fast-check";

/**
 * The statements random sessions are made of, by the kind of session state they produce or read
 * (issue 23). Each kind is a named generator, so a run can leave kinds out (see known-gaps.ts).
 * Statements name their objects through placeholders filled per side (see `bind` in script.ts):
 * `{t}` the session's own table `t_<n>(id AUTO_INCREMENT, a, b, s VARCHAR(20))`, `{db}` the side's
 * database, `{lock}` a lock name of the session's own. Nothing here reads a clock, a connection id
 * or a statistic, so one server answers every script the same way every time.
 */

/** One step of a session script. */
export type Step = Statement | Pause;

export interface Statement {
  readonly kind: string;
  readonly sql: string;
  /** sent with mysql2's execute() (binary protocol prepared statement) with these parameters */
  readonly binary?: readonly (number | string | null)[];
  /** answers whose values legitimately depend on the server (EXPLAIN): compare columns and row count only */
  readonly shapeOnly?: boolean;
}

/** A quiet spell: Sluice gives a quiet session's connection back after a few milliseconds. */
export interface Pause {
  readonly kind: string;
  readonly pauseMs: number;
}

const n = fc.integer({ min: 0, max: 9 });
const sql = (kind: string) => (text: string) => ({ kind, sql: text });
const fixed = (kind: string, ...texts: string[]) => fc.constantFrom(...texts).map(sql(kind));

function kinds(): Record<string, fc.Arbitrary<Step>> {
  return {
    read: fc.oneof(
      fixed("read", "SELECT * FROM {t} ORDER BY id", "SELECT a, COUNT(*) FROM {t} GROUP BY a ORDER BY a"),
      n.map((v) => sql("read")(`SELECT id, a FROM {t} WHERE a > ${v} ORDER BY id LIMIT 3`)),
    ),
    count: fc.oneof(
      fixed("count", "SELECT COUNT(*) FROM {t}"),
      n.map((v) => sql("count")(`SELECT COUNT(*) FROM {t} WHERE a < ${v}`)),
    ),
    "calc-found-rows": n.map((v) =>
      sql("calc-found-rows")(`SELECT SQL_CALC_FOUND_ROWS id FROM {t} ORDER BY id LIMIT ${v}`),
    ),
    write: fc.oneof(
      n.map((v) => sql("write")(`INSERT INTO {t} (a, b) VALUES (${v}, ${v})`)),
      n.map((v) => sql("write")(`INSERT INTO {t} (a, b, s) VALUES (${v}, 1, 'm'), (${v + 1}, 2, 'm')`)),
      n.map((v) => sql("write")(`UPDATE {t} SET b = b + 1 WHERE a = ${v}`)),
      n.map((v) => sql("write")(`DELETE FROM {t} WHERE a = ${v} AND id > 6`)),
    ),
    "write-explicit-id": fc.oneof(
      n.map((v) => sql("write-explicit-id")(`INSERT INTO {t} (id, a, b) VALUES (${v + 20}, ${v}, ${v})`)),
      n.map((v) =>
        sql("write-explicit-id")(
          `INSERT INTO {t} (id, a, b) VALUES (${v + 1}, ${v}, 0) ON DUPLICATE KEY UPDATE b = b + 10`,
        ),
      ),
      n.map((v) => sql("write-explicit-id")(`REPLACE INTO {t} (id, a, b) VALUES (${v + 2}, ${v}, ${v})`)),
    ),
    "last-insert-id-read": fc.oneof(
      fixed(
        "last-insert-id-read",
        "SELECT LAST_INSERT_ID()",
        "SELECT @@identity, @@last_insert_id",
        "INSERT INTO {t} (a, b) VALUES (NULL, LAST_INSERT_ID())",
      ),
      n.map((v) =>
        sql("last-insert-id-read")(`UPDATE {t} SET b = LAST_INSERT_ID(b + 1) WHERE id = ${v + 1}`),
      ),
    ),
    "found-rows-read": fixed(
      "found-rows-read",
      "SELECT FOUND_ROWS()",
      "SELECT ROW_COUNT()",
      "INSERT INTO {t} (a, b, s) VALUES (FOUND_ROWS(), ROW_COUNT(), 'x')",
    ),
    "last-insert-id-expr": fc.oneof(
      n.map((v) => sql("last-insert-id-expr")(`SELECT LAST_INSERT_ID(${v + 40})`)),
      n.map((v) => sql("last-insert-id-expr")(`DO LAST_INSERT_ID(${v + 70})`)),
    ),
    "warnings-raise": fixed(
      "warnings-raise",
      "SELECT CAST('12abc' AS SIGNED)",
      "SELECT 1/0",
      // a warning (or error 1406 under a strict sql_mode) from a write
      "INSERT INTO {t} (a, b, s) VALUES (1, 1, 'longer than twenty characters')",
    ),
    "warnings-read": fixed(
      "warnings-read",
      "SHOW WARNINGS",
      "SHOW COUNT(*) WARNINGS",
      "SELECT @@warning_count",
      "SHOW ERRORS",
      "SHOW COUNT(*) ERRORS",
      "SELECT @@error_count",
    ),
    errors: fixed("errors", "DELETE FROM nosuch", "SELEC 1", "SELECT nosuchcolumn FROM {t}"),
    diagnostics: fixed(
      "diagnostics",
      "GET DIAGNOSTICS @dn = NUMBER, @dr = ROW_COUNT",
      "GET DIAGNOSTICS CONDITION 1 @de = MYSQL_ERRNO, @dm = MESSAGE_TEXT",
      "SELECT @dn, @dr, @de, @dm",
    ),
    "user-vars-literal": fc.oneof(
      n.map((v) => sql("user-vars-literal")(`SET @x = ${v}`)),
      n.map((v) => sql("user-vars-literal")(`SET @s = 'v${v}', @x = ${v + 1}`)),
      fixed("user-vars-literal", "SELECT @x, @s"),
    ),
    "user-vars-computed": fixed(
      "user-vars-computed",
      "SET @n = (SELECT COUNT(*) FROM {t})",
      "SELECT MAX(id) INTO @m FROM {t}",
      "SELECT @y := MAX(a) FROM {t}",
      "SELECT @n, @m, @y",
    ),
    // a variable computed from another, possibly NULL one: its type is the expression's
    "user-vars-expr": fixed("user-vars-expr", "SET @w = @x + 1", "SELECT @w"),
    "sql-mode": fixed(
      "sql-mode",
      "SET sql_mode = ''",
      "SET sql_mode = 'STRICT_TRANS_TABLES'",
      "SET SESSION sql_mode = DEFAULT",
      "SELECT @@sql_mode",
    ),
    "session-vars": fc.oneof(
      fixed("session-vars", "SELECT 7/3", "SELECT @@div_precision_increment"),
      n.map((v) => sql("session-vars")(`SET div_precision_increment = ${v}`)),
    ),
    "set-names": fixed(
      "set-names",
      "SET NAMES latin1",
      "SET NAMES utf8mb4",
      "SET NAMES DEFAULT",
      "SELECT @@character_set_client, @@character_set_results, @@collation_connection",
    ),
    autocommit: fixed("autocommit", "SET autocommit = 0", "SET autocommit = 1", "SELECT @@autocommit"),
    transactions: fixed(
      "transactions",
      "BEGIN",
      "START TRANSACTION",
      "START TRANSACTION READ ONLY",
      "START TRANSACTION READ WRITE",
      "COMMIT",
      "ROLLBACK",
      "SELECT @@in_transaction",
    ),
    "tx-characteristics": fixed(
      "tx-characteristics",
      "SET TRANSACTION READ ONLY",
      "SET SESSION TRANSACTION READ ONLY",
      "SET SESSION TRANSACTION READ WRITE",
      "SELECT @@tx_read_only",
    ),
    "temporary-tables": fc.oneof(
      fixed(
        "temporary-tables",
        "CREATE TEMPORARY TABLE tmp (id INT PRIMARY KEY, v INT)",
        "SELECT * FROM tmp ORDER BY id",
        "DROP TEMPORARY TABLE IF EXISTS tmp",
      ),
      n.map((v) => sql("temporary-tables")(`INSERT INTO tmp VALUES (${v}, ${v})`)),
    ),
    "prepare-text": fixed(
      "prepare-text",
      "PREPARE s1 FROM 'SELECT a, b FROM {t} WHERE id = ?'",
      "EXECUTE s1 USING @x",
      "PREPARE s2 FROM 'INSERT INTO {t} (a, b) VALUES (?, LAST_INSERT_ID())'",
      "EXECUTE s2 USING @x",
      "PREPARE s3 FROM 'SELECT LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS()'",
      "EXECUTE s3",
      "DEALLOCATE PREPARE s1",
    ),
    "prepare-binary": fc.oneof(
      n.map((v) => binary("SELECT a, b FROM {t} WHERE id = ?", v + 1)),
      n.map((v) => binary("INSERT INTO {t} (a, b) VALUES (?, ?)", v, v)),
      n.map((v) => binary("UPDATE {t} SET b = ? WHERE a = ?", v, v)),
      fc.constant(binary("SELECT LAST_INSERT_ID(), ROW_COUNT()")),
      fc.constant(binary("SELECT COUNT(*) FROM {t}")),
      fc.constant(binary("SELECT FOUND_ROWS()")),
    ),
    locks: fixed(
      "locks",
      "SELECT GET_LOCK('{lock}', 0)",
      "SELECT RELEASE_LOCK('{lock}')",
      "SELECT IS_FREE_LOCK('{lock}')",
      "SELECT RELEASE_ALL_LOCKS()",
    ),
    "use-db": fixed("use-db", "USE {db}", "USE sluice_test", "SELECT DATABASE()"),
    "explain-locking": fixed(
      "explain-locking",
      "EXPLAIN SELECT * FROM {t} FOR UPDATE",
      "EXPLAIN SELECT * FROM {t} WHERE id = 1 LOCK IN SHARE MODE",
    ).map((s): Step => ({ ...s, shapeOnly: true })),
    do: fixed("do", "DO 1", "DO (SELECT COUNT(*) FROM {t})"),
    pause: fc.constantFrom(0, 10).map((pauseMs): Step => ({ kind: "pause", pauseMs })),
    // Sluice gives a quiet session's connection back after milliseconds, but some of its timers
    // (causal waits, idle pooling) are around a second: a rare long pause reaches them
    "long-pause": fc.constant<Step>({ kind: "long-pause", pauseMs: 1_200 }),
  };
}

function binary(text: string, ...params: number[]): Step {
  return { kind: "prepare-binary", sql: text, binary: params };
}

/** Every kind of statement the generator knows, by name. */
export const STATEMENT_KINDS: Readonly<Record<string, fc.Arbitrary<Step>>> = kinds();
export const ALL_KINDS: readonly string[] = Object.keys(STATEMENT_KINDS);

/** How often a kind is drawn relative to the others (default 4): long pauses are rare. */
const WEIGHTS: Readonly<Record<string, number>> = { "long-pause": 1, pause: 3 };

/** The first statement of every session (see sessionScript). */
export const OPENING: Statement = { kind: "opening", sql: "SELECT COUNT(*) FROM {t}" };

/** A random session of 1..maxLength steps over the given kinds, after OPENING. */
export function sessionScript(kindNames: readonly string[], maxLength: number): fc.Arbitrary<Step[]> {
  const unknown = kindNames.filter((k) => STATEMENT_KINDS[k] === undefined);
  if (unknown.length > 0) throw new Error(`unknown statement kinds: ${unknown.join(", ")}`);
  const step = fc.oneof(
    ...kindNames.map((k) => ({ arbitrary: STATEMENT_KINDS[k]!, weight: WEIGHTS[k] ?? 4 })),
  );
  // FOUND_ROWS() of a new connection is whatever the server thread last counted for another
  // connection (MariaDB reuses cached threads): a one-server answer only exists after a SELECT
  return fc.array(step, { minLength: 1, maxLength, size: "max" }).map((steps) => [OPENING, ...steps]);
}
