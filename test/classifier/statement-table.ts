import type { ClassifyContext, Facts } from "../../src/classifier/facts.js";

/**
 * The statement table: SQL with the facts the classifier must report (a subset each; lists are
 * compared whole). Shared by the unit test and by the read_only-replica integration test, which
 * runs every statement against a real server. `server: "skip"` marks statements that must not run
 * there (they would stop or disturb the test server); the reason is given beside them.
 */
export interface Case {
  readonly sql: string;
  readonly expect: Partial<Facts>;
  readonly server?: "skip";
  readonly why?: string;
  readonly context?: ClassifyContext;
}

export const CASES: Case[] = [];

type E = Partial<Facts>;
function group(expect: E, sqls: readonly string[], extra: Partial<Case> = {}): void {
  for (const sql of sqls) CASES.push({ sql, expect, ...extra });
}
const read = (kind: Facts["kind"], more: E = {}): E => ({ kind, writes: false, ...more });
const write = (kind: Facts["kind"], more: E = {}): E => ({ kind, writes: true, ...more });
const T = (name: string, schema: string | null = null) => ({ schema, name });
// SET GLOBAL, SET PASSWORD and server definitions change the replica itself (not its data) if the
// app user's privileges allow them: not run there.
const GLOBAL = {
  server: "skip" as const,
  why: "would change the replica's configuration or the app user's password",
};

// ── SELECT: plain reads ───────────────────────────────────────────────────────────────────────
group(read("select", { family: "read", locking: "none", implicitCommit: false }), [
  "SELECT 1",
  "select 1",
  "SELECT 1 FROM DUAL",
  "SELECT NOW()",
  "SELECT VERSION()",
  "SELECT CONNECTION_ID()",
  "SELECT DATABASE()",
  "SELECT USER(), CURRENT_USER()",
  "SELECT 1 + 2 * 3",
  "SELECT 'a' 'b'",
  "SELECT CONCAT('a', 'b')",
  "SELECT IF(1 > 0, 'yes', 'no')",
  "SELECT CASE WHEN 1 THEN 2 ELSE 3 END",
  "SELECT COALESCE(NULL, 1)",
  "SELECT JSON_EXTRACT('{\"a\":1}', '$.a')",
  "SELECT CAST('1' AS UNSIGNED)",
  "SELECT CAST(1.5 AS DECIMAL(10,2))",
  "SELECT CONVERT('abc' USING utf8mb4)",
  "SELECT DATE_ADD(NOW(), INTERVAL 1 DAY)",
  "SELECT UUID()",
  "SELECT RAND()",
  "SELECT SLEEP(0)",
  "SELECT MD5('x'), SHA2('x', 256)",
  "SELECT x'4142', b'01', 0x41, N'abc', _utf8mb4'abc'",
  "SELECT 1e10, .5, -3, +4",
  "SELECT 'it''s', \"dq\", 'back\\'slash'",
  "(SELECT 1) UNION (SELECT 2)",
  "SELECT 1 UNION ALL SELECT 2",
  "SELECT 1 INTERSECT SELECT 1",
  "SELECT 1 EXCEPT SELECT 2",
  "VALUES (1, 2), (3, 4)",
  "SELECT REGEXP_REPLACE('abc', 'b', 'x')",
  "SELECT GREATEST(1, 2), LEAST(1, 2)",
  "SELECT ROUND(1.55, 1), FLOOR(1.5), CEIL(1.5)",
  "SELECT /* a comment */ 1",
  "SELECT 1 -- trailing comment",
  "SELECT 1 # hash comment",
  "SELECT 1;",
  "  \n SELECT 1 \n ;  ",
  "SELECT SQL_NO_CACHE 1",
  "SELECT HIGH_PRIORITY 1",
  "SELECT DISTINCT 1",
  "SELECT STRAIGHT_JOIN 1",
  "SELECT 1 /*!50000 + 1 */",
  "SELECT BENCHMARK(1, 1)",
  "SELECT INET_ATON('1.2.3.4')",
  "SELECT FORMAT(1234.5, 2)",
  "SELECT LPAD('a', 3, 'x')",
  "SELECT DATE_FORMAT(NOW(), '%Y')",
  "SELECT UNIX_TIMESTAMP()",
  "SELECT 1 AS `select`",
  "SELECT 1 IS NULL, 1 IS NOT NULL, 1 <=> 1",
  "SELECT 'a' LIKE 'a%', 'a' REGEXP 'a'",
  "SELECT 1 BETWEEN 0 AND 2",
  "SELECT JSON_OBJECT('a', 1)",
  "SELECT ST_AsText(POINT(1, 2))",
]);

// SELECT with tables
CASES.push(
  {
    sql: "SELECT * FROM t WHERE id = 1",
    expect: read("select", { tables: [T("t")], writeTables: [], digest: "SELECT * FROM t WHERE id = ?" }),
  },
  { sql: "SELECT * FROM db1.t1", expect: read("select", { tables: [T("t1", "db1")] }) },
  { sql: "SELECT * FROM `db 1`.`t 1`", expect: read("select", { tables: [T("t 1", "db 1")] }) },
  { sql: "SELECT * FROM `order`", expect: read("select", { tables: [T("order")] }) },
  { sql: "SELECT a FROM t1, t2 WHERE t1.id = t2.id", expect: read("select", { tables: [T("t1"), T("t2")] }) },
  { sql: "SELECT a FROM t1 AS x, t2 y", expect: read("select", { tables: [T("t1"), T("t2")] }) },
  { sql: "SELECT * FROM t1 JOIN t2 ON t1.a = t2.a", expect: read("select", { tables: [T("t1"), T("t2")] }) },
  {
    sql: "SELECT * FROM t1 LEFT JOIN t2 USING (a) RIGHT JOIN t3 ON 1",
    expect: read("select", { tables: [T("t1"), T("t2"), T("t3")] }),
  },
  {
    sql: "SELECT * FROM t1 INNER JOIN db2.t2 ON 1 CROSS JOIN t3",
    expect: read("select", { tables: [T("t1"), T("t2", "db2"), T("t3")] }),
  },
  { sql: "SELECT * FROM t1 STRAIGHT_JOIN t2 ON 1", expect: read("select", { tables: [T("t1"), T("t2")] }) },
  { sql: "SELECT * FROM t1 NATURAL JOIN t2", expect: read("select", { tables: [T("t1"), T("t2")] }) },
  { sql: "SELECT * FROM (SELECT * FROM inner_t) AS d", expect: read("select", { tables: [T("inner_t")] }) },
  {
    sql: "SELECT * FROM t WHERE id IN (SELECT id FROM u)",
    expect: read("select", { tables: [T("t"), T("u")] }),
  },
  {
    sql: "SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)",
    expect: read("select", { tables: [T("t"), T("u")] }),
  },
  { sql: "SELECT (SELECT MAX(a) FROM u) FROM t", expect: read("select", { tables: [T("u"), T("t")] }) },
  { sql: "SELECT * FROM t FORCE INDEX (idx) WHERE a = 1", expect: read("select", { tables: [T("t")] }) },
  {
    sql: "SELECT * FROM t USE INDEX (i1) IGNORE INDEX FOR ORDER BY (i2), u",
    expect: read("select", { tables: [T("t"), T("u")] }),
  },
  { sql: "SELECT * FROM t PARTITION (p0, p1)", expect: read("select", { tables: [T("t")] }) },
  { sql: "SELECT EXTRACT(YEAR FROM d) FROM t", expect: read("select", { tables: [T("t")] }) },
  {
    sql: "SELECT TRIM(LEADING 'x' FROM a), SUBSTRING(a FROM 2) FROM t",
    expect: read("select", { tables: [T("t")] }),
  },
  {
    sql: "SELECT a, COUNT(*) FROM t GROUP BY a HAVING COUNT(*) > 1 ORDER BY a DESC LIMIT 10 OFFSET 5",
    expect: read("select", { tables: [T("t")], functions: ["count"] }),
  },
  {
    sql: "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t",
    expect: read("select", { tables: [T("t")] }),
  },
  { sql: "SELECT a FROM t WINDOW w AS (ORDER BY a)", expect: read("select", { tables: [T("t")] }) },
  {
    sql: "SELECT * FROM t WHERE a = ? AND b = ?",
    expect: read("select", { digest: "SELECT * FROM t WHERE a = ? AND b = ?" }),
  },
  {
    sql: "SELECT * FROM t WHERE id IN (1, 2, 3)",
    expect: read("select", { digest: "SELECT * FROM t WHERE id IN (...)" }),
  },
  {
    sql: "SELECT * FROM t WHERE id IN ('a')",
    expect: read("select", { digest: "SELECT * FROM t WHERE id IN (...)" }),
  },
  {
    sql: "SELECT * FROM t WHERE id NOT IN (-1, 2)",
    expect: read("select", { digest: "SELECT * FROM t WHERE id NOT IN (...)" }),
  },
  {
    sql: "select   *   from T   where X=-1",
    expect: read("select", { digest: "SELECT * FROM T WHERE X = ?" }),
  },
  { sql: "SELECT * FROM t LIMIT 10, 20", expect: read("select", { digest: "SELECT * FROM t LIMIT ?, ?" }) },
  {
    sql: "SELECT * FROM information_schema.tables",
    expect: read("select", { tables: [T("tables", "information_schema")] }),
  },
  { sql: "SELECT * FROM mysql.user", expect: read("select", { tables: [T("user", "mysql")] }) },
  { sql: "SELECT JSON_ARRAYAGG(a) FROM t", expect: read("select", { functions: ["json_arrayagg"] }) },
  {
    sql: "SELECT GROUP_CONCAT(a SEPARATOR ',') FROM t",
    expect: read("select", { functions: ["group_concat"] }),
  },
  { sql: "WITH x AS (SELECT * FROM a) SELECT * FROM x", expect: read("select", { tables: [T("a")] }) },
  {
    sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    expect: read("select", { tables: [] }),
  },
  {
    sql: "WITH a AS (SELECT 1), b AS (SELECT * FROM t) SELECT * FROM a, b",
    expect: read("select", { tables: [T("t")] }),
  },
  { sql: "TABLE t", expect: read("select", { tables: [T("t")] }) },
  {
    sql: "SELECT * FROM t1 WHERE a = (SELECT b FROM t2 LIMIT 1) FOR UPDATE",
    expect: read("select", { locking: "for_update", tables: [T("t1"), T("t2")] }),
  },
);

// ── locking reads ────────────────────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "SELECT * FROM t WHERE id = 1 FOR UPDATE",
    expect: read("select", { locking: "for_update", lockWait: "wait" }),
  },
  {
    sql: "SELECT * FROM t FOR UPDATE NOWAIT",
    expect: read("select", { locking: "for_update", lockWait: "nowait" }),
  },
  {
    sql: "SELECT * FROM t FOR UPDATE SKIP LOCKED",
    expect: read("select", { locking: "for_update", lockWait: "skip_locked" }),
  },
  {
    sql: "SELECT * FROM t FOR UPDATE WAIT 5",
    expect: read("select", { locking: "for_update", lockWait: "timeout" }),
  },
  { sql: "SELECT * FROM t LOCK IN SHARE MODE", expect: read("select", { locking: "lock_in_share_mode" }) },
  {
    sql: "SELECT * FROM t LOCK IN SHARE MODE NOWAIT",
    expect: read("select", { locking: "lock_in_share_mode", lockWait: "nowait" }),
  },
  { sql: "select * from t for update", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t FOR UPDATE -- trailing", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t FOR /* c */ UPDATE", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM (SELECT * FROM t FOR UPDATE) x", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT 'FOR UPDATE' FROM t", expect: read("select", { locking: "none" }) },
  { sql: "SELECT `for update` FROM t", expect: read("select", { locking: "none" }) },
  { sql: "SELECT * FROM t /* FOR UPDATE */", expect: read("select", { locking: "none" }) },
);

// ── side effects in reads ────────────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "SELECT GET_LOCK('a', 10)",
    expect: read("select", { writes: true, sessionEffects: [{ kind: "get_lock" }] }),
  },
  {
    sql: "SELECT RELEASE_LOCK('a')",
    expect: read("select", { writes: true, sessionEffects: [{ kind: "release_lock", all: false }] }),
  },
  {
    sql: "SELECT RELEASE_ALL_LOCKS()",
    expect: read("select", { writes: true, sessionEffects: [{ kind: "release_lock", all: true }] }),
  },
  { sql: "SELECT IS_FREE_LOCK('a')", expect: read("select", { writes: true }) },
  { sql: "SELECT IS_USED_LOCK('a')", expect: read("select", { writes: true }) },
  { sql: "DO GET_LOCK('a', 1)", expect: read("do", { writes: true }) },
  { sql: "SELECT NEXTVAL(s)", expect: read("select", { writes: true }) },
  { sql: "SELECT SETVAL(s, 100)", expect: read("select", { writes: true }) },
  { sql: "SELECT NEXT VALUE FOR s", expect: read("select", { writes: true, writeTables: [T("s")] }) },
  { sql: "SELECT PREVIOUS VALUE FOR s", expect: read("select", { sameConnection: ["sequence_lastval"] }) },
  { sql: "SELECT LASTVAL(s)", expect: read("select", { sameConnection: ["sequence_lastval"] }) },
  { sql: "SELECT my_function(1)", expect: read("select", { writes: true, functions: ["my_function"] }) },
  {
    sql: "SELECT db.my_function(1)",
    expect: read("select", { writes: true, functions: ["db.my_function"] }),
  },
  { sql: "SELECT `f`(1)", expect: read("select", { writes: true }) },
  { sql: "SELECT a FROM t WHERE b = stored_fn(a)", expect: read("select", { writes: true }) },
  {
    sql: "SELECT * FROM t INTO OUTFILE '/tmp/sluice-out.txt'",
    expect: write("select_into_file", { family: "write" }),
  },
  { sql: "SELECT * INTO OUTFILE '/tmp/sluice-out.txt' FROM t", expect: write("select_into_file") },
  { sql: "SELECT a FROM t INTO DUMPFILE '/tmp/sluice-dump.bin'", expect: write("select_into_file") },
  {
    sql: "SELECT 1 INTO @x",
    expect: read("select", {
      sessionEffects: [
        { kind: "user_variable", name: "x", how: "select_into", valueText: null, literal: false },
      ],
    }),
  },
  {
    sql: "SELECT a, b INTO @a, @b FROM t LIMIT 1",
    expect: read("select", {
      sessionEffects: [
        { kind: "user_variable", name: "a", how: "select_into", valueText: null, literal: false },
        { kind: "user_variable", name: "b", how: "select_into", valueText: null, literal: false },
      ],
    }),
  },
  {
    sql: "SELECT @x := 5",
    expect: read("select", {
      sessionEffects: [{ kind: "user_variable", name: "x", how: "assign", valueText: null, literal: false }],
    }),
  },
  { sql: "SELECT @x", expect: read("select", { sessionEffects: [] }) },
);

// ── same-connection needs and producers ───────────────────────────────────────────────────────
CASES.push(
  { sql: "SELECT FOUND_ROWS()", expect: read("select", { sameConnection: ["found_rows"] }) },
  { sql: "SELECT LAST_INSERT_ID()", expect: read("select", { sameConnection: ["last_insert_id"] }) },
  {
    sql: "SELECT LAST_INSERT_ID(5)",
    expect: read("select", { sameConnection: [], produces: ["insert_id"] }),
  },
  { sql: "SELECT ROW_COUNT()", expect: read("select", { sameConnection: ["row_count"] }) },
  {
    sql: "SELECT @@warning_count",
    expect: read("select", { sameConnection: ["warnings"], systemVariables: ["warning_count"] }),
  },
  {
    sql: "SELECT @@session.error_count",
    expect: read("select", { sameConnection: ["errors"], systemVariables: ["error_count"] }),
  },
  { sql: "SELECT @@identity", expect: read("select", { sameConnection: ["last_insert_id"] }) },
  { sql: "SELECT @@last_insert_id", expect: read("select", { sameConnection: ["last_insert_id"] }) },
  { sql: "SELECT @@last_gtid", expect: read("select", { sameConnection: ["last_gtid"] }) },
  {
    sql: "SELECT @@version, @@global.read_only",
    expect: read("select", { sameConnection: [], systemVariables: ["version", "read_only"] }),
  },
  { sql: "SELECT @@SESSION.tx_isolation", expect: read("select", { systemVariables: ["tx_isolation"] }) },
  {
    sql: "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10",
    expect: read("select", { produces: ["calc_found_rows"] }),
  },
  { sql: "SHOW WARNINGS", expect: read("show_warnings", { sameConnection: ["warnings"] }) },
  { sql: "SHOW WARNINGS LIMIT 5", expect: read("show_warnings", { sameConnection: ["warnings"] }) },
  { sql: "SHOW ERRORS", expect: read("show_errors", { sameConnection: ["errors"] }) },
  { sql: "SHOW COUNT(*) WARNINGS", expect: read("show_warnings", { sameConnection: ["warnings"] }) },
  { sql: "SHOW COUNT(*) ERRORS", expect: read("show_errors", { sameConnection: ["errors"] }) },
  {
    sql: "GET DIAGNOSTICS @n = NUMBER",
    expect: read("get_diagnostics", { sameConnection: ["diagnostics"] }),
  },
  {
    sql: "GET DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT",
    expect: read("get_diagnostics", { sameConnection: ["diagnostics"] }),
  },
);

// ── INSERT / REPLACE ─────────────────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "INSERT INTO t (a, b) VALUES (1, 'x')",
    expect: write("insert", {
      family: "write",
      tables: [T("t")],
      writeTables: [T("t")],
      produces: ["insert_id", "row_count"],
      digest: "INSERT INTO t(a, b) VALUES (?, ?)",
    }),
  },
  {
    sql: "INSERT INTO t VALUES (1), (2), (3)",
    expect: write("insert", { writeTables: [T("t")], digest: "INSERT INTO t VALUES (?), ..." }),
  },
  { sql: "INSERT t (a) VALUE (1)", expect: write("insert", { writeTables: [T("t")] }) },
  { sql: "INSERT IGNORE INTO t SET a = 1", expect: write("insert", { writeTables: [T("t")] }) },
  {
    sql: "INSERT LOW_PRIORITY INTO db.t VALUES (1)",
    expect: write("insert", { writeTables: [T("t", "db")] }),
  },
  { sql: "INSERT DELAYED INTO t VALUES (1)", expect: write("insert", { writeTables: [T("t")] }) },
  {
    sql: "INSERT HIGH_PRIORITY IGNORE INTO t VALUES (1)",
    expect: write("insert", { writeTables: [T("t")] }),
  },
  {
    sql: "INSERT INTO t (a) SELECT a FROM u WHERE b = 2",
    expect: write("insert", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  {
    sql: "INSERT INTO t SELECT * FROM u JOIN v ON u.a = v.a",
    expect: write("insert", { tables: [T("t"), T("u"), T("v")], writeTables: [T("t")] }),
  },
  {
    sql: "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a) + 1",
    expect: write("insert", { writeTables: [T("t")] }),
  },
  { sql: "INSERT INTO t (a) VALUES (1) RETURNING id", expect: write("insert", { writeTables: [T("t")] }) },
  { sql: "INSERT INTO t PARTITION (p0) VALUES (1)", expect: write("insert", { writeTables: [T("t")] }) },
  { sql: "INSERT INTO t (a) VALUES (NOW())", expect: write("insert", { writeTables: [T("t")] }) },
  {
    sql: "INSERT INTO `weird table` (`a b`) VALUES (1)",
    expect: write("insert", { writeTables: [T("weird table")] }),
  },
  {
    sql: "insert into t(a) values(1)",
    expect: write("insert", { writeTables: [T("t")], digest: "INSERT INTO t(a) VALUES (?)" }),
  },
  { sql: "REPLACE INTO t VALUES (1, 2)", expect: write("replace", { writeTables: [T("t")] }) },
  { sql: "REPLACE t SET a = 1", expect: write("replace", { writeTables: [T("t")] }) },
  {
    sql: "REPLACE LOW_PRIORITY INTO t SELECT * FROM u",
    expect: write("replace", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  { sql: "INSERT INTO t VALUES (NEXT VALUE FOR s)", expect: write("insert") },
  { sql: "INSERT INTO log (msg) VALUES ('SELECT 1')", expect: write("insert") },
);

// ── UPDATE / DELETE ──────────────────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "UPDATE t SET a = 1 WHERE id = 2",
    expect: write("update", {
      tables: [T("t")],
      writeTables: [T("t")],
      produces: ["row_count"],
      digest: "UPDATE t SET a = ? WHERE id = ?",
    }),
  },
  { sql: "UPDATE LOW_PRIORITY IGNORE t SET a = a + 1", expect: write("update", { writeTables: [T("t")] }) },
  { sql: "UPDATE db.t AS x SET x.a = 1", expect: write("update", { writeTables: [T("t", "db")] }) },
  {
    sql: "UPDATE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id",
    expect: write("update", { writeTables: [T("t1"), T("t2")] }),
  },
  {
    sql: "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 2",
    expect: write("update", { writeTables: [T("t1"), T("t2")] }),
  },
  {
    sql: "UPDATE t SET a = (SELECT MAX(b) FROM u)",
    expect: write("update", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  { sql: "UPDATE t SET a = 1 ORDER BY id LIMIT 1", expect: write("update", { writeTables: [T("t")] }) },
  {
    sql: "WITH x AS (SELECT id FROM u) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM x)",
    expect: write("update", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  {
    sql: "DELETE FROM t WHERE id = 1",
    expect: write("delete", { tables: [T("t")], writeTables: [T("t")], produces: ["row_count"] }),
  },
  { sql: "DELETE LOW_PRIORITY QUICK IGNORE FROM t", expect: write("delete", { writeTables: [T("t")] }) },
  { sql: "DELETE FROM db.t ORDER BY id LIMIT 10", expect: write("delete", { writeTables: [T("t", "db")] }) },
  {
    sql: "DELETE t1 FROM t1 JOIN t2 ON t1.a = t2.a",
    expect: write("delete", { writeTables: [T("t1")], tables: [T("t1"), T("t2")] }),
  },
  {
    sql: "DELETE t1, t2 FROM t1 INNER JOIN t2 INNER JOIN t3 WHERE t1.id = t2.id",
    expect: write("delete", { writeTables: [T("t1"), T("t2")], tables: [T("t1"), T("t2"), T("t3")] }),
  },
  {
    sql: "DELETE FROM t1, t2 USING t1 JOIN t2 ON 1",
    expect: write("delete", { writeTables: [T("t1"), T("t2")] }),
  },
  { sql: "DELETE FROM t1.* USING t1", expect: write("delete") },
  {
    sql: "DELETE FROM t WHERE id IN (SELECT id FROM u)",
    expect: write("delete", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  { sql: "WITH x AS (SELECT 1) DELETE FROM t", expect: write("delete", { writeTables: [T("t")] }) },
  { sql: "DELETE FROM t RETURNING id", expect: write("delete", { writeTables: [T("t")] }) },
  {
    sql: "update t set a='x' where b=\"y\"",
    expect: write("update", { digest: "UPDATE t SET a = ? WHERE b = ?" }),
  },
);

// ── LOAD DATA, CALL, DO, HANDLER ─────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "LOAD DATA INFILE '/tmp/sluice-in.txt' INTO TABLE t",
    expect: write("load_data", { writeTables: [T("t")] }),
  },
  {
    sql: "LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE db.t FIELDS TERMINATED BY ','",
    expect: write("load_data", { writeTables: [T("t", "db")] }),
  },
  {
    sql: "LOAD DATA LOW_PRIORITY INFILE 'x' REPLACE INTO TABLE t",
    expect: write("load_data", { writeTables: [T("t")] }),
  },
  { sql: "LOAD XML INFILE 'x.xml' INTO TABLE t", expect: write("load_data", { writeTables: [T("t")] }) },
  { sql: "CALL p()", expect: write("call") },
  { sql: "CALL p", expect: write("call") },
  { sql: "CALL db.p(1, 'a', @x)", expect: write("call") },
  { sql: "DO 1", expect: read("do") },
  { sql: "DO SLEEP(0)", expect: read("do") },
  { sql: "DO RELEASE_LOCK('x')", expect: read("do", { writes: true }) },
  { sql: "HANDLER t OPEN", expect: read("handler", { tables: [T("t")] }) },
  { sql: "HANDLER t OPEN AS h", expect: read("handler", { tables: [T("t")] }) },
  { sql: "HANDLER h READ FIRST", expect: read("handler") },
  { sql: "HANDLER h READ idx NEXT WHERE a > 1 LIMIT 5", expect: read("handler") },
  { sql: "HANDLER h CLOSE", expect: read("handler") },
);

// ── DDL ──────────────────────────────────────────────────────────────────────────────────────
const ddl = (kind: Facts["kind"], more: E = {}): E =>
  write(kind, { family: "ddl", implicitCommit: true, ...more });
CASES.push(
  {
    sql: "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))",
    expect: ddl("create_table", { writeTables: [T("t")], sessionEffects: [] }),
  },
  {
    sql: "CREATE TABLE IF NOT EXISTS db.t (id INT)",
    expect: ddl("create_table", { writeTables: [T("t", "db")] }),
  },
  { sql: "CREATE OR REPLACE TABLE t (id INT)", expect: ddl("create_table", { writeTables: [T("t")] }) },
  {
    sql: "CREATE TABLE t LIKE u",
    expect: ddl("create_table", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  {
    sql: "CREATE TABLE t AS SELECT * FROM u",
    expect: ddl("create_table", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  {
    sql: "CREATE TABLE t SELECT a FROM u WHERE b = 1",
    expect: ddl("create_table", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  {
    sql: "CREATE TABLE c (id INT, p INT, FOREIGN KEY (p) REFERENCES parent(id))",
    expect: ddl("create_table", { tables: [T("c"), T("parent")], writeTables: [T("c")] }),
  },
  {
    sql: "CREATE TABLE t (a INT DEFAULT 0, b DECIMAL(10,2), c ENUM('x','y'), KEY idx (a)) ENGINE=InnoDB",
    expect: ddl("create_table", { writeTables: [T("t")] }),
  },
  {
    sql: "CREATE TEMPORARY TABLE tmp (id INT)",
    expect: write("create_table", {
      implicitCommit: false,
      sessionEffects: [{ kind: "create_temporary_table", table: T("tmp") }],
    }),
  },
  {
    sql: "CREATE TEMPORARY TABLE IF NOT EXISTS db.tmp AS SELECT 1",
    expect: write("create_table", {
      implicitCommit: false,
      sessionEffects: [{ kind: "create_temporary_table", table: T("tmp", "db") }],
    }),
  },
  { sql: "ALTER TABLE t ADD COLUMN b INT", expect: ddl("alter_table", { writeTables: [T("t")] }) },
  {
    sql: "ALTER TABLE db.t DROP COLUMN b, ADD INDEX i (a)",
    expect: ddl("alter_table", { writeTables: [T("t", "db")] }),
  },
  { sql: "ALTER ONLINE TABLE t ENGINE=InnoDB", expect: ddl("alter_table", { writeTables: [T("t")] }) },
  { sql: "ALTER IGNORE TABLE t ADD UNIQUE (a)", expect: ddl("alter_table", { writeTables: [T("t")] }) },
  { sql: "ALTER TABLE t RENAME TO t2", expect: ddl("alter_table", { writeTables: [T("t"), T("t2")] }) },
  { sql: "ALTER TABLE t RENAME COLUMN a TO b", expect: ddl("alter_table", { writeTables: [T("t")] }) },
  { sql: "ALTER TABLE t WAIT 5 ADD COLUMN c INT", expect: ddl("alter_table") },
  { sql: "ALTER TABLE t NOWAIT ADD COLUMN c INT", expect: ddl("alter_table") },
  {
    sql: "DROP TABLE t",
    expect: ddl("drop_table", {
      writeTables: [T("t")],
      sessionEffects: [{ kind: "drop_table", tables: [T("t")], temporaryOnly: false }],
    }),
  },
  {
    sql: "DROP TABLE IF EXISTS t1, db.t2",
    expect: ddl("drop_table", { writeTables: [T("t1"), T("t2", "db")] }),
  },
  { sql: "DROP TABLE t CASCADE", expect: ddl("drop_table", { writeTables: [T("t")] }) },
  {
    sql: "DROP TEMPORARY TABLE tmp",
    expect: write("drop_table", {
      implicitCommit: false,
      sessionEffects: [{ kind: "drop_table", tables: [T("tmp")], temporaryOnly: true }],
    }),
  },
  {
    sql: "DROP TEMPORARY TABLE IF EXISTS tmp1, tmp2",
    expect: write("drop_table", { implicitCommit: false }),
  },
  { sql: "RENAME TABLE a TO b", expect: ddl("rename_table", { writeTables: [T("a"), T("b")] }) },
  {
    sql: "RENAME TABLE a TO b, c TO d",
    expect: ddl("rename_table", { writeTables: [T("a"), T("b"), T("c"), T("d")] }),
  },
  { sql: "TRUNCATE TABLE t", expect: ddl("truncate", { writeTables: [T("t")] }) },
  { sql: "TRUNCATE db.t", expect: ddl("truncate", { writeTables: [T("t", "db")] }) },
  { sql: "CREATE INDEX i ON t (a)", expect: ddl("create_index", { writeTables: [T("t")] }) },
  {
    sql: "CREATE UNIQUE INDEX i ON db.t (a, b)",
    expect: ddl("create_index", { writeTables: [T("t", "db")] }),
  },
  { sql: "CREATE FULLTEXT INDEX i ON t (txt)", expect: ddl("create_index", { writeTables: [T("t")] }) },
  { sql: "CREATE OR REPLACE INDEX i ON t (a)", expect: ddl("create_index") },
  { sql: "DROP INDEX i ON t", expect: ddl("drop_index", { writeTables: [T("t")] }) },
  { sql: "DROP INDEX IF EXISTS i ON t", expect: ddl("drop_index", { writeTables: [T("t")] }) },
  {
    sql: "CREATE VIEW v AS SELECT * FROM t",
    expect: ddl("create_view", { tables: [T("v"), T("t")], writeTables: [T("v")] }),
  },
  {
    sql: "CREATE OR REPLACE ALGORITHM=MERGE DEFINER=CURRENT_USER SQL SECURITY INVOKER VIEW v AS SELECT 1",
    expect: ddl("create_view", { writeTables: [T("v")] }),
  },
  {
    sql: "CREATE DEFINER='app'@'%' VIEW v2 AS SELECT a FROM t",
    expect: ddl("create_view", { writeTables: [T("v2")] }),
  },
  { sql: "ALTER VIEW v AS SELECT 2", expect: ddl("alter_view") },
  { sql: "DROP VIEW v", expect: ddl("drop_view") },
  { sql: "DROP VIEW IF EXISTS v1, v2", expect: ddl("drop_view") },
  { sql: "CREATE DATABASE d", expect: ddl("create_database") },
  { sql: "CREATE SCHEMA IF NOT EXISTS d CHARACTER SET utf8mb4", expect: ddl("create_database") },
  { sql: "CREATE OR REPLACE DATABASE d", expect: ddl("create_database") },
  { sql: "ALTER DATABASE d CHARACTER SET utf8mb4", expect: ddl("alter_database") },
  { sql: "ALTER SCHEMA d COLLATE utf8mb4_bin", expect: ddl("alter_database") },
  { sql: "DROP DATABASE d", expect: ddl("drop_database") },
  { sql: "DROP SCHEMA IF EXISTS d", expect: ddl("drop_database") },
  { sql: "CREATE PROCEDURE p() SELECT 1", expect: ddl("create_procedure") },
  {
    sql: "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
    expect: ddl("create_procedure", { statementCount: 1 }),
  },
  {
    sql: "CREATE DEFINER=`app`@`%` PROCEDURE p(IN a INT) BEGIN IF a > 0 THEN SELECT 1; END IF; END",
    expect: ddl("create_procedure", { statementCount: 1 }),
  },
  {
    sql: "CREATE OR REPLACE PROCEDURE p() BEGIN DECLARE x INT; SET x = 1; WHILE x < 3 DO SET x = x + 1; END WHILE; END",
    expect: ddl("create_procedure", { statementCount: 1 }),
  },
  { sql: "ALTER PROCEDURE p COMMENT 'x'", expect: ddl("alter_procedure") },
  { sql: "DROP PROCEDURE p", expect: ddl("drop_procedure") },
  { sql: "DROP PROCEDURE IF EXISTS db.p", expect: ddl("drop_procedure") },
  { sql: "CREATE FUNCTION f(a INT) RETURNS INT DETERMINISTIC RETURN a + 1", expect: ddl("create_function") },
  {
    sql: "CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
    expect: ddl("create_function", { statementCount: 1 }),
  },
  {
    sql: "CREATE AGGREGATE FUNCTION agg(x INT) RETURNS INT BEGIN RETURN 0; END",
    expect: ddl("create_function"),
  },
  { sql: "ALTER FUNCTION f COMMENT 'x'", expect: ddl("alter_function") },
  { sql: "DROP FUNCTION f", expect: ddl("drop_function") },
  { sql: "DROP FUNCTION IF EXISTS f", expect: ddl("drop_function") },
  {
    sql: "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
    expect: ddl("create_trigger", { tables: [T("t")] }),
  },
  {
    sql: "CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW BEGIN INSERT INTO log VALUES (1); END",
    expect: ddl("create_trigger", { statementCount: 1 }),
  },
  {
    sql: "CREATE TRIGGER tr BEFORE DELETE ON t FOR EACH ROW IF OLD.a > 0 THEN SET @x = 1; END IF",
    expect: ddl("create_trigger", { statementCount: 1 }),
  },
  { sql: "DROP TRIGGER tr", expect: ddl("drop_trigger") },
  { sql: "DROP TRIGGER IF EXISTS db.tr", expect: ddl("drop_trigger") },
  { sql: "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t", expect: ddl("create_event") },
  {
    sql: "CREATE EVENT e ON SCHEDULE AT NOW() DO BEGIN DELETE FROM t; END",
    expect: ddl("create_event", { statementCount: 1 }),
  },
  { sql: "ALTER EVENT e DISABLE", expect: ddl("alter_event") },
  { sql: "DROP EVENT e", expect: ddl("drop_event") },
  { sql: "DROP EVENT IF EXISTS e", expect: ddl("drop_event") },
  { sql: "CREATE SEQUENCE s", expect: ddl("create_sequence", { writeTables: [T("s")] }) },
  {
    sql: "CREATE SEQUENCE IF NOT EXISTS s START WITH 10 INCREMENT BY 5",
    expect: ddl("create_sequence", { writeTables: [T("s")] }),
  },
  { sql: "CREATE OR REPLACE SEQUENCE db.s", expect: ddl("create_sequence", { writeTables: [T("s", "db")] }) },
  { sql: "ALTER SEQUENCE s RESTART 1", expect: ddl("alter_sequence", { writeTables: [T("s")] }) },
  { sql: "DROP SEQUENCE s", expect: ddl("drop_sequence", { writeTables: [T("s")] }) },
  { sql: "DROP SEQUENCE IF EXISTS s1, s2", expect: ddl("drop_sequence") },
  {
    ...GLOBAL,
    sql: "CREATE SERVER srv FOREIGN DATA WRAPPER mysql OPTIONS (HOST 'x')",
    expect: ddl("create_server"),
  },
  { ...GLOBAL, sql: "ALTER SERVER srv OPTIONS (USER 'y')", expect: ddl("alter_server") },
  { ...GLOBAL, sql: "DROP SERVER srv", expect: ddl("drop_server") },
  { ...GLOBAL, sql: "DROP SERVER IF EXISTS srv", expect: ddl("drop_server") },
  { sql: "CREATE TABLESPACE ts ADD DATAFILE 'ts.ibd'", expect: ddl("create_other") },
  { sql: "CREATE PACKAGE pkg AS FUNCTION f() RETURNS INT; END", expect: ddl("create_other") },
  { sql: "DROP PACKAGE pkg", expect: ddl("drop_other") },
  { sql: "DROP TABLESPACE ts", expect: ddl("drop_other") },
);

// ── session state ────────────────────────────────────────────────────────────────────────────
const sess = (kind: Facts["kind"], more: E = {}): E => read(kind, { family: "session", ...more });
CASES.push(
  { sql: "USE db", expect: sess("use", { sessionEffects: [{ kind: "use", schema: "db" }] }) },
  { sql: "use `my db`", expect: sess("use", { sessionEffects: [{ kind: "use", schema: "my db" }] }) },
  { sql: "USE Db_2", expect: sess("use", { sessionEffects: [{ kind: "use", schema: "Db_2" }] }) },
  {
    sql: "SET NAMES utf8mb4",
    expect: sess("set_names", {
      sessionEffects: [{ kind: "set_names", charset: "utf8mb4", collation: null }],
    }),
  },
  {
    sql: "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'",
    expect: sess("set_names", {
      sessionEffects: [{ kind: "set_names", charset: "utf8mb4", collation: "utf8mb4_unicode_ci" }],
    }),
  },
  {
    sql: "set names latin1",
    expect: sess("set_names", {
      sessionEffects: [{ kind: "set_names", charset: "latin1", collation: null }],
    }),
  },
  {
    sql: "SET NAMES DEFAULT",
    expect: sess("set_names", {
      sessionEffects: [{ kind: "set_names", charset: "default", collation: null }],
    }),
  },
  {
    sql: "SET CHARACTER SET utf8mb4",
    expect: sess("set_charset", { sessionEffects: [{ kind: "set_charset", charset: "utf8mb4" }] }),
  },
  {
    sql: "SET CHARSET 'latin1'",
    expect: sess("set_charset", { sessionEffects: [{ kind: "set_charset", charset: "latin1" }] }),
  },
  {
    sql: "SET autocommit = 0",
    expect: sess("set", {
      implicitCommit: false,
      sessionEffects: [{ kind: "set_autocommit", value: false }],
    }),
  },
  {
    sql: "SET autocommit=1",
    expect: sess("set", { implicitCommit: true, sessionEffects: [{ kind: "set_autocommit", value: true }] }),
  },
  {
    sql: "SET AUTOCOMMIT = ON",
    expect: sess("set", { sessionEffects: [{ kind: "set_autocommit", value: true }] }),
  },
  {
    sql: "SET @@autocommit = OFF",
    expect: sess("set", { sessionEffects: [{ kind: "set_autocommit", value: false }] }),
  },
  {
    sql: "SET SESSION autocommit = @v",
    expect: sess("set", { implicitCommit: true, sessionEffects: [{ kind: "set_autocommit", value: null }] }),
  },
  {
    sql: "SET sql_mode = 'STRICT_TRANS_TABLES'",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "sql_mode",
          scope: "session",
          valueText: "'STRICT_TRANS_TABLES'",
          literal: true,
        },
      ],
    }),
  },
  {
    sql: "SET SESSION wait_timeout = 600",
    expect: sess("set", {
      sessionEffects: [
        { kind: "set_variable", name: "wait_timeout", scope: "session", valueText: "600", literal: true },
      ],
    }),
  },
  {
    sql: "SET LOCAL sql_select_limit = DEFAULT",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "sql_select_limit",
          scope: "session",
          valueText: "DEFAULT",
          literal: true,
        },
      ],
    }),
  },
  {
    sql: "SET @@session.time_zone = '+00:00'",
    expect: sess("set", {
      sessionEffects: [
        { kind: "set_variable", name: "time_zone", scope: "session", valueText: "'+00:00'", literal: true },
      ],
    }),
  },
  {
    sql: "SET @@local.net_read_timeout = 30",
    expect: sess("set", {
      sessionEffects: [
        { kind: "set_variable", name: "net_read_timeout", scope: "session", valueText: "30", literal: true },
      ],
    }),
  },
  {
    sql: "SET @@max_execution_time = -1",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "max_execution_time",
          scope: "session",
          valueText: "-1",
          literal: true,
        },
      ],
    }),
  },
  {
    sql: "SET sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "sql_mode",
          scope: "session",
          valueText: "CONCAT(@@sql_mode, ',ANSI_QUOTES')",
          literal: false,
        },
      ],
    }),
  },
  {
    sql: "SET time_zone = '+00:00', sql_mode = ''",
    expect: sess("set", {
      sessionEffects: [
        { kind: "set_variable", name: "time_zone", scope: "session", valueText: "'+00:00'", literal: true },
        { kind: "set_variable", name: "sql_mode", scope: "session", valueText: "''", literal: true },
      ],
    }),
  },
  {
    sql: "SET @x = 1",
    expect: sess("set", {
      sessionEffects: [{ kind: "user_variable", name: "x", how: "set", valueText: "1", literal: true }],
    }),
  },
  {
    sql: "SET @X := 'abc'",
    expect: sess("set", {
      sessionEffects: [{ kind: "user_variable", name: "x", how: "set", valueText: "'abc'", literal: true }],
    }),
  },
  {
    sql: "SET @x = (SELECT MAX(a) FROM t)",
    expect: sess("set", {
      tables: [T("t")],
      sessionEffects: [
        { kind: "user_variable", name: "x", how: "set", valueText: "(SELECT MAX(a) FROM t)", literal: false },
      ],
    }),
  },
  {
    sql: "SET @`odd name` = 2",
    expect: sess("set", {
      sessionEffects: [
        { kind: "user_variable", name: "odd name", how: "set", valueText: "2", literal: true },
      ],
    }),
  },
  {
    sql: "SET @a = 1, @b = 2",
    expect: sess("set", {
      sessionEffects: [
        { kind: "user_variable", name: "a", how: "set", valueText: "1", literal: true },
        { kind: "user_variable", name: "b", how: "set", valueText: "2", literal: true },
      ],
    }),
  },
  { sql: "SET @x = my_fn()", expect: sess("set", { writes: true }) },
  { sql: "SET @lock = GET_LOCK('a', 0)", expect: sess("set", { writes: true }) },
  {
    ...GLOBAL,
    sql: "SET GLOBAL max_connections = 500",
    expect: write("set", {
      sessionEffects: [
        { kind: "set_variable", name: "max_connections", scope: "global", valueText: "500", literal: true },
      ],
    }),
  },
  { ...GLOBAL, sql: "SET @@global.read_only = 1", expect: write("set") },
  { ...GLOBAL, sql: "SET GLOBAL slow_query_log = ON", expect: write("set") },
  {
    sql: "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
    expect: read("set_transaction", {
      family: "transaction",
      sessionEffects: [
        { kind: "set_transaction", scope: "next", readOnly: null, isolation: "READ COMMITTED" },
      ],
    }),
  },
  {
    sql: "SET TRANSACTION READ ONLY",
    expect: read("set_transaction", {
      sessionEffects: [{ kind: "set_transaction", scope: "next", readOnly: true, isolation: null }],
    }),
  },
  {
    sql: "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
    expect: read("set_transaction", {
      sessionEffects: [
        { kind: "set_transaction", scope: "session", readOnly: false, isolation: "SERIALIZABLE" },
      ],
    }),
  },
  {
    ...GLOBAL,
    sql: "SET GLOBAL TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    expect: write("set_transaction", {
      sessionEffects: [
        { kind: "set_transaction", scope: "global", readOnly: null, isolation: "REPEATABLE READ" },
      ],
    }),
  },
  {
    sql: "SET STATEMENT max_statement_time = 10 FOR SELECT * FROM t",
    expect: read("select", { tables: [T("t")], sessionEffects: [] }),
  },
  {
    sql: "SET STATEMENT sql_mode = '' FOR UPDATE t SET a = 1",
    expect: write("update", { writeTables: [T("t")] }),
  },
  { sql: "SET ROLE r1", expect: read("set_role") },
  { sql: "SET ROLE NONE", expect: read("set_role") },
  { sql: "SET DEFAULT ROLE r1 FOR 'u'@'%'", expect: write("set_default_role") },
  {
    ...GLOBAL,
    sql: "SET PASSWORD FOR 'u'@'%' = PASSWORD('x')",
    expect: write("set_password", { implicitCommit: true }),
  },
  { ...GLOBAL, sql: "SET PASSWORD = 'hash'", expect: write("set_password") },
  {
    sql: "SET sql_log_bin = 0",
    expect: sess("set", {
      sessionEffects: [
        { kind: "set_variable", name: "sql_log_bin", scope: "session", valueText: "0", literal: true },
      ],
    }),
  },
  { sql: "SET foreign_key_checks = 0, unique_checks = 0", expect: sess("set") },
  {
    sql: "SET character_set_results = NULL",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "character_set_results",
          scope: "session",
          valueText: "NULL",
          literal: true,
        },
      ],
    }),
  },
  {
    sql: "SET SESSION group_concat_max_len = 1024 * 1024",
    expect: sess("set", {
      sessionEffects: [
        {
          kind: "set_variable",
          name: "group_concat_max_len",
          scope: "session",
          valueText: "1024 * 1024",
          literal: false,
        },
      ],
    }),
  },
);

// ── transactions ─────────────────────────────────────────────────────────────────────────────
const trx = (kind: Facts["kind"], more: E = {}): E => read(kind, { family: "transaction", ...more });
CASES.push(
  {
    sql: "BEGIN",
    expect: trx("begin", {
      implicitCommit: true,
      transaction: { kind: "begin", readOnly: null, consistentSnapshot: false },
    }),
  },
  {
    sql: "BEGIN WORK",
    expect: trx("begin", { transaction: { kind: "begin", readOnly: null, consistentSnapshot: false } }),
  },
  { sql: "begin;", expect: trx("begin") },
  {
    sql: "START TRANSACTION",
    expect: trx("begin", {
      implicitCommit: true,
      transaction: { kind: "begin", readOnly: null, consistentSnapshot: false },
    }),
  },
  {
    sql: "START TRANSACTION READ ONLY",
    expect: trx("begin", { transaction: { kind: "begin", readOnly: true, consistentSnapshot: false } }),
  },
  {
    sql: "START TRANSACTION READ WRITE",
    expect: trx("begin", {
      writes: true,
      transaction: { kind: "begin", readOnly: false, consistentSnapshot: false },
    }),
  },
  {
    sql: "START TRANSACTION WITH CONSISTENT SNAPSHOT",
    expect: trx("begin", { transaction: { kind: "begin", readOnly: null, consistentSnapshot: true } }),
  },
  {
    sql: "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
    expect: trx("begin", { transaction: { kind: "begin", readOnly: true, consistentSnapshot: true } }),
  },
  {
    sql: "COMMIT",
    expect: trx("commit", {
      implicitCommit: false,
      transaction: { kind: "commit", chain: false, release: false },
    }),
  },
  {
    sql: "COMMIT WORK",
    expect: trx("commit", { transaction: { kind: "commit", chain: false, release: false } }),
  },
  {
    sql: "COMMIT AND CHAIN",
    expect: trx("commit", { transaction: { kind: "commit", chain: true, release: false } }),
  },
  {
    sql: "COMMIT AND NO CHAIN NO RELEASE",
    expect: trx("commit", { transaction: { kind: "commit", chain: false, release: false } }),
  },
  {
    sql: "COMMIT RELEASE",
    expect: trx("commit", { transaction: { kind: "commit", chain: false, release: true } }),
  },
  {
    sql: "ROLLBACK",
    expect: trx("rollback", { transaction: { kind: "rollback", chain: false, release: false } }),
  },
  {
    sql: "ROLLBACK WORK AND CHAIN",
    expect: trx("rollback", { transaction: { kind: "rollback", chain: true, release: false } }),
  },
  {
    sql: "ROLLBACK TO SAVEPOINT sp1",
    expect: trx("rollback_to_savepoint", { transaction: { kind: "rollback_to_savepoint", name: "sp1" } }),
  },
  {
    sql: "ROLLBACK TO sp1",
    expect: trx("rollback_to_savepoint", { transaction: { kind: "rollback_to_savepoint", name: "sp1" } }),
  },
  {
    sql: "ROLLBACK WORK TO SAVEPOINT `Sp2`",
    expect: trx("rollback_to_savepoint", { transaction: { kind: "rollback_to_savepoint", name: "sp2" } }),
  },
  { sql: "SAVEPOINT sp1", expect: trx("savepoint", { transaction: { kind: "savepoint", name: "sp1" } }) },
  {
    sql: "RELEASE SAVEPOINT sp1",
    expect: trx("release_savepoint", { transaction: { kind: "release_savepoint", name: "sp1" } }),
  },
  { sql: "XA START 'x1'", expect: trx("xa", { transaction: { kind: "xa", action: "start" } }) },
  { sql: "XA BEGIN 'x1'", expect: trx("xa", { transaction: { kind: "xa", action: "start" } }) },
  { sql: "XA END 'x1'", expect: trx("xa", { transaction: { kind: "xa", action: "end" } }) },
  { sql: "XA PREPARE 'x1'", expect: trx("xa", { transaction: { kind: "xa", action: "prepare" } }) },
  { sql: "XA COMMIT 'x1' ONE PHASE", expect: trx("xa", { transaction: { kind: "xa", action: "commit" } }) },
  { sql: "XA ROLLBACK 'x1'", expect: trx("xa", { transaction: { kind: "xa", action: "rollback" } }) },
  { sql: "XA RECOVER", expect: trx("xa", { transaction: { kind: "xa", action: "recover" } }) },
  {
    sql: "LOCK TABLES t READ",
    expect: write("lock_tables", {
      implicitCommit: true,
      tables: [T("t")],
      writeTables: [],
      sessionEffects: [{ kind: "lock_tables" }],
    }),
  },
  {
    sql: "LOCK TABLES t WRITE, u AS x READ",
    expect: write("lock_tables", { tables: [T("t"), T("u")], writeTables: [T("t")] }),
  },
  { sql: "LOCK TABLE t LOW_PRIORITY WRITE", expect: write("lock_tables", { writeTables: [T("t")] }) },
  { sql: "LOCK TABLES db.t READ LOCAL", expect: write("lock_tables", { tables: [T("t", "db")] }) },
  {
    sql: "UNLOCK TABLES",
    expect: read("unlock_tables", { implicitCommit: true, sessionEffects: [{ kind: "unlock_tables" }] }),
  },
  { sql: "UNLOCK TABLE", expect: read("unlock_tables") },
);

// ── prepared statements (SQL level) ──────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "PREPARE s FROM 'SELECT * FROM t WHERE id = ?'",
    expect: read("prepare", {
      family: "prepared",
      sessionEffects: [{ kind: "prepare", name: "s" }],
      preparedSql: "SELECT * FROM t WHERE id = ?",
    }),
  },
  {
    sql: "PREPARE S2 FROM @sql",
    expect: read("prepare", { sessionEffects: [{ kind: "prepare", name: "s2" }], preparedSql: null }),
  },
  { sql: "EXECUTE s", expect: write("execute", { family: "prepared" }) },
  { sql: "EXECUTE s USING @a, @b", expect: write("execute") },
  { sql: "EXECUTE IMMEDIATE 'SELECT 1'", expect: write("execute", { preparedSql: "SELECT 1" }) },
  {
    sql: "DEALLOCATE PREPARE s",
    expect: read("deallocate", { sessionEffects: [{ kind: "deallocate", name: "s" }] }),
  },
  {
    sql: "DROP PREPARE s",
    expect: read("deallocate", { sessionEffects: [{ kind: "deallocate", name: "s" }] }),
  },
);

// ── accounts and privileges ──────────────────────────────────────────────────────────────────
const acct = (kind: Facts["kind"]): E => write(kind, { family: "account", implicitCommit: true });
CASES.push(
  { sql: "GRANT SELECT ON db.* TO 'u'@'%'", expect: acct("grant") },
  { sql: "GRANT ALL PRIVILEGES ON *.* TO u WITH GRANT OPTION", expect: acct("grant") },
  { sql: "GRANT r1 TO u", expect: acct("grant") },
  { sql: "REVOKE SELECT ON db.* FROM 'u'@'%'", expect: acct("revoke") },
  { sql: "REVOKE ALL PRIVILEGES, GRANT OPTION FROM u", expect: acct("revoke") },
  { sql: "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'", expect: acct("create_user") },
  { sql: "CREATE USER IF NOT EXISTS u2", expect: acct("create_user") },
  { sql: "CREATE OR REPLACE USER u3", expect: acct("create_user") },
  { sql: "ALTER USER 'u'@'%' IDENTIFIED BY 'pw2'", expect: acct("alter_user") },
  { sql: "ALTER USER u ACCOUNT LOCK", expect: acct("alter_user") },
  { sql: "DROP USER 'u'@'%'", expect: acct("drop_user") },
  { sql: "DROP USER IF EXISTS u, v", expect: acct("drop_user") },
  { sql: "RENAME USER a TO b", expect: acct("rename_user") },
  { sql: "CREATE ROLE r1", expect: acct("create_role") },
  { sql: "CREATE ROLE IF NOT EXISTS r2 WITH ADMIN CURRENT_USER", expect: acct("create_role") },
  { sql: "DROP ROLE r1", expect: acct("drop_role") },
);

// ANALYZE / OPTIMIZE / REPAIR TABLE are accepted by a read_only replica even for a missing table
// and written to the replica's own binary log, which breaks GTID-strict replication: not run there.
const BINLOGGED = { server: "skip" as const, why: "binlogged on the replica even for a missing table" };

// ── maintenance ──────────────────────────────────────────────────────────────────────────────
CASES.push(
  {
    ...BINLOGGED,
    sql: "ANALYZE TABLE t",
    expect: write("analyze", { family: "maintenance", implicitCommit: true, writeTables: [T("t")] }),
  },
  {
    ...BINLOGGED,
    sql: "ANALYZE NO_WRITE_TO_BINLOG TABLE t1, t2",
    expect: write("analyze", { writeTables: [T("t1"), T("t2")] }),
  },
  { ...BINLOGGED, sql: "ANALYZE LOCAL TABLE t PERSISTENT FOR ALL", expect: write("analyze") },
  { ...BINLOGGED, sql: "OPTIMIZE TABLE t", expect: write("optimize", { writeTables: [T("t")] }) },
  {
    ...BINLOGGED,
    sql: "OPTIMIZE LOCAL TABLE db.t",
    expect: write("optimize", { writeTables: [T("t", "db")] }),
  },
  { ...BINLOGGED, sql: "REPAIR TABLE t QUICK", expect: write("repair", { writeTables: [T("t")] }) },
  { ...BINLOGGED, sql: "REPAIR NO_WRITE_TO_BINLOG TABLE t EXTENDED", expect: write("repair") },
  {
    sql: "CHECK TABLE t",
    expect: read("check", { family: "maintenance", tables: [T("t")], writeTables: [] }),
  },
  { sql: "CHECK TABLE t1, t2 FAST QUICK", expect: read("check", { tables: [T("t1"), T("t2")] }) },
  { sql: "CHECK VIEW v", expect: read("check") },
  { sql: "CHECKSUM TABLE t", expect: read("checksum", { tables: [T("t")] }) },
  { sql: "CHECKSUM TABLE t1, t2 EXTENDED", expect: read("checksum", { tables: [T("t1"), T("t2")] }) },
);

// ── EXPLAIN / DESCRIBE ───────────────────────────────────────────────────────────────────────
CASES.push(
  { sql: "EXPLAIN SELECT * FROM t", expect: read("explain", { tables: [T("t")] }) },
  { sql: "EXPLAIN EXTENDED SELECT 1", expect: read("explain") },
  { sql: "EXPLAIN PARTITIONS SELECT * FROM t", expect: read("explain") },
  { sql: "EXPLAIN FORMAT=JSON SELECT * FROM t", expect: read("explain") },
  { sql: "EXPLAIN UPDATE t SET a = 1", expect: write("explain", { tables: [T("t")], writeTables: [] }) },
  { sql: "EXPLAIN DELETE FROM t WHERE id = 1", expect: write("explain") },
  { sql: "EXPLAIN INSERT INTO t VALUES (1)", expect: write("explain") },
  { sql: "DESCRIBE SELECT 1", expect: read("explain") },
  { sql: "ANALYZE SELECT * FROM t", expect: read("explain", { tables: [T("t")] }) },
  { sql: "ANALYZE FORMAT=JSON SELECT 1", expect: read("explain") },
  { sql: "ANALYZE UPDATE t SET a = 1", expect: write("explain", { writeTables: [T("t")] }) },
  { sql: "ANALYZE DELETE FROM t", expect: write("explain") },
  { sql: "EXPLAIN t", expect: read("describe", { tables: [T("t")] }) },
  { sql: "DESCRIBE t", expect: read("describe", { tables: [T("t")] }) },
  { sql: "DESC db.t", expect: read("describe", { tables: [T("t", "db")] }) },
  { sql: "DESCRIBE t a", expect: read("describe", { tables: [T("t")] }) },
);

// ── SHOW ─────────────────────────────────────────────────────────────────────────────────────
CASES.push(
  { sql: "SHOW DATABASES", expect: read("show_databases", { family: "read" }) },
  { sql: "SHOW SCHEMAS LIKE 'a%'", expect: read("show_databases") },
  { sql: "SHOW TABLES", expect: read("show_tables") },
  { sql: "SHOW FULL TABLES FROM db", expect: read("show_tables", { tables: [] }) },
  { sql: "SHOW TABLES LIKE 't%'", expect: read("show_tables") },
  { sql: "SHOW COLUMNS FROM t", expect: read("show_columns", { tables: [T("t")] }) },
  { sql: "SHOW FULL COLUMNS FROM t FROM db", expect: read("show_columns", { tables: [T("t", "db")] }) },
  { sql: "SHOW FIELDS IN db.t", expect: read("show_columns", { tables: [T("t", "db")] }) },
  { sql: "SHOW INDEX FROM t", expect: read("show_index", { tables: [T("t")] }) },
  { sql: "SHOW KEYS FROM t", expect: read("show_index", { tables: [T("t")] }) },
  { sql: "SHOW INDEXES IN t", expect: read("show_index", { tables: [T("t")] }) },
  { sql: "SHOW CREATE TABLE t", expect: read("show_create", { tables: [T("t")] }) },
  { sql: "SHOW CREATE VIEW v", expect: read("show_create", { tables: [T("v")] }) },
  { sql: "SHOW CREATE DATABASE db", expect: read("show_create", { tables: [] }) },
  { sql: "SHOW CREATE PROCEDURE p", expect: read("show_create") },
  { sql: "SHOW CREATE USER u", expect: read("show_create") },
  { sql: "SHOW TABLE STATUS", expect: read("show_table_status") },
  { sql: "SHOW TABLE STATUS FROM db LIKE 't'", expect: read("show_table_status") },
  { sql: "SHOW VARIABLES", expect: read("show_variables") },
  { sql: "SHOW GLOBAL VARIABLES LIKE 'read_only'", expect: read("show_variables") },
  { sql: "SHOW SESSION VARIABLES WHERE Variable_name = 'x'", expect: read("show_variables") },
  { sql: "SHOW STATUS", expect: read("show_status") },
  { sql: "SHOW GLOBAL STATUS LIKE 'Com_%'", expect: read("show_status") },
  { sql: "SHOW PROCESSLIST", expect: read("show_processlist") },
  { sql: "SHOW FULL PROCESSLIST", expect: read("show_processlist") },
  { sql: "SHOW GRANTS", expect: read("show_grants") },
  { sql: "SHOW GRANTS FOR CURRENT_USER", expect: read("show_grants") },
  { sql: "SHOW MASTER STATUS", expect: read("show_master_status") },
  { sql: "SHOW BINLOG STATUS", expect: read("show_master_status") },
  { sql: "SHOW SLAVE STATUS", expect: read("show_slave_status") },
  { sql: "SHOW REPLICA STATUS", expect: read("show_slave_status") },
  { sql: "SHOW ALL SLAVES STATUS", expect: read("show_slave_status") },
  { sql: "SHOW SLAVE HOSTS", expect: read("show_other") },
  { sql: "SHOW BINARY LOGS", expect: read("show_binlog") },
  { sql: "SHOW MASTER LOGS", expect: read("show_binlog") },
  { sql: "SHOW BINLOG EVENTS", expect: read("show_binlog") },
  { sql: "SHOW RELAYLOG EVENTS", expect: read("show_binlog") },
  { sql: "SHOW ENGINES", expect: read("show_engine") },
  { sql: "SHOW ENGINE INNODB STATUS", expect: read("show_engine") },
  { sql: "SHOW STORAGE ENGINES", expect: read("show_engine") },
  { sql: "SHOW PLUGINS", expect: read("show_other") },
  { sql: "SHOW PRIVILEGES", expect: read("show_other") },
  { sql: "SHOW CHARACTER SET", expect: read("show_other") },
  { sql: "SHOW COLLATION LIKE 'utf8%'", expect: read("show_other") },
  { sql: "SHOW TRIGGERS", expect: read("show_other") },
  { sql: "SHOW EVENTS", expect: read("show_other") },
  { sql: "SHOW OPEN TABLES", expect: read("show_other") },
  { sql: "SHOW PROCEDURE STATUS", expect: read("show_other") },
  { sql: "SHOW FUNCTION STATUS", expect: read("show_other") },
  { sql: "SHOW PROFILES", expect: read("show_other") },
  { sql: "SHOW TABLE STATUS LIKE 'x'", expect: read("show_table_status") },
);

// ── server administration ────────────────────────────────────────────────────────────────────
// These would change or stop the test replica if they succeeded; the app user is not expected to
// have the privileges, but the integration test does not bet the cluster on it.
const admin = (kind: Facts["kind"], more: E = {}): E => write(kind, { family: "admin", ...more });
const DANGER = { server: "skip" as const, why: "would stop, reconfigure or lock the test server" };
group(
  admin("kill"),
  ["KILL 123", "KILL QUERY 123", "KILL CONNECTION 123", "KILL HARD QUERY 5", "KILL USER app"],
  DANGER,
);
group(admin("shutdown"), ["SHUTDOWN", "SHUTDOWN WAIT FOR ALL REPLICAS"], DANGER);
group(
  admin("flush", { implicitCommit: true }),
  [
    "FLUSH TABLES",
    "FLUSH PRIVILEGES",
    "FLUSH LOGS",
    "FLUSH NO_WRITE_TO_BINLOG STATUS",
    "FLUSH LOCAL HOSTS",
    "FLUSH TABLES t1, t2",
  ],
  DANGER,
);
CASES.push(
  {
    sql: "FLUSH TABLES WITH READ LOCK",
    expect: admin("flush", { sessionEffects: [{ kind: "lock_tables" }] }),
    ...DANGER,
  },
  {
    sql: "FLUSH TABLES t FOR EXPORT",
    expect: admin("flush", { tables: [T("t")], sessionEffects: [{ kind: "lock_tables" }] }),
    ...DANGER,
  },
);
group(
  admin("reset", { implicitCommit: true }),
  ["RESET MASTER", "RESET SLAVE", "RESET SLAVE ALL", "RESET QUERY CACHE"],
  DANGER,
);
group(admin("purge"), ["PURGE BINARY LOGS TO 'mysql-bin.000010'", "PURGE MASTER LOGS BEFORE NOW()"], DANGER);
group(
  admin("install_plugin"),
  ["INSTALL PLUGIN example SONAME 'ha_example'", "INSTALL SONAME 'ha_example'"],
  DANGER,
);
group(admin("uninstall_plugin"), ["UNINSTALL PLUGIN example", "UNINSTALL SONAME 'ha_example'"], DANGER);
group(
  admin("change_master"),
  [
    "CHANGE MASTER TO MASTER_HOST = 'h'",
    "CHANGE MASTER 'conn' TO MASTER_PORT = 3307",
    "CHANGE REPLICATION FILTER REPLICATE_DO_DB = (d)",
  ],
  DANGER,
);
group(
  admin("start_slave"),
  ["START SLAVE", "START REPLICA", "START ALL SLAVES", "START SLAVE SQL_THREAD", "START SLAVE 'conn'"],
  DANGER,
);
group(admin("stop_slave"), ["STOP SLAVE", "STOP REPLICA", "STOP ALL SLAVES", "STOP SLAVE IO_THREAD"], DANGER);
group(admin("binlog"), ["BINLOG 'AAAA'"], DANGER);
group(admin("backup"), ["BACKUP STAGE START", "BACKUP LOCK t"], DANGER);
CASES.push(
  { sql: "CACHE INDEX t IN hot_cache", expect: admin("cache_index", { tables: [T("t")] }) },
  { sql: "LOAD INDEX INTO CACHE t", expect: admin("load_index", { tables: [T("t")] }) },
  { sql: "HELP 'contents'", expect: read("help") },
  { sql: "HELP 'SELECT'", expect: read("help") },
  { sql: "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'x'", expect: read("signal") },
  { sql: "RESIGNAL", expect: read("resignal") },
);

// ── executable comments ──────────────────────────────────────────────────────────────────────
CASES.push(
  { sql: "/*!40101 SET NAMES utf8mb4 */", expect: read("set_names") },
  {
    sql: "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */",
    expect: read("set", { systemVariables: ["unique_checks"] }),
  },
  {
    sql: "/*!50003 CREATE*/ /*!50020 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1 */",
    expect: write("create_trigger"),
  },
  { sql: "SELECT /*! STRAIGHT_JOIN */ * FROM t", expect: read("select", { tables: [T("t")] }) },
  { sql: "SELECT 1 /*!999999 FOR UPDATE */", expect: read("select", { locking: "none" }) },
  { sql: "SELECT 1 /*!50700 FOR UPDATE */", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t /*!100500 FOR UPDATE */", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t /*M! FOR UPDATE */", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t /*M!100500 FOR UPDATE */", expect: read("select", { locking: "for_update" }) },
  { sql: "SELECT * FROM t /*M!999999 FOR UPDATE */", expect: read("select", { locking: "none" }) },
  {
    sql: "SELECT * FROM t /*M! FOR UPDATE */",
    expect: read("select", { locking: "none" }),
    context: { mariadb: false, serverVersion: 80030 },
    server: "skip",
    why: "a MySQL context",
  },
  {
    sql: "SELECT * FROM t /*!80000 FOR UPDATE */",
    expect: read("select", { locking: "none" }),
    context: { mariadb: false, serverVersion: 50744 },
    server: "skip",
    why: "a MySQL 5.7 context",
  },
  { sql: "/*!50000 INSERT INTO t VALUES (1) */", expect: write("insert", { writeTables: [T("t")] }) },
  { sql: "/* INSERT INTO t VALUES (1) */ SELECT 1", expect: read("select") },
  { sql: "/*+ MAX_EXECUTION_TIME(1000) */ SELECT 1", expect: read("select") },
  { sql: "SELECT /*+ NO_INDEX(t) */ * FROM t", expect: read("select", { tables: [T("t")] }) },
);

// ── routing hints ────────────────────────────────────────────────────────────────────────────
CASES.push(
  {
    sql: "/* sluice: route=primary */ SELECT 1",
    expect: read("select", { hints: [{ key: "route", value: "primary" }] }),
  },
  {
    sql: "SELECT 1 /* sluice: route=replica, max_lag=2 */",
    expect: read("select", {
      hints: [
        { key: "route", value: "replica" },
        { key: "max_lag", value: "2" },
      ],
    }),
  },
  {
    sql: "/*sluice:route=primary pool=reports*/ SELECT 1",
    expect: read("select", {
      hints: [
        { key: "route", value: "primary" },
        { key: "pool", value: "reports" },
      ],
    }),
  },
  {
    sql: "-- sluice: route=primary\nSELECT 1",
    expect: read("select", { hints: [{ key: "route", value: "primary" }] }),
  },
  { sql: "# sluice: pin\nSELECT 1", expect: read("select", { hints: [{ key: "pin", value: "true" }] }) },
  {
    sql: "/* SLUICE: Route=Primary */ SELECT 1",
    expect: read("select", { hints: [{ key: "route", value: "Primary" }] }),
  },
  {
    sql: "/* sluice: tag='nightly report' */ SELECT 1",
    expect: read("select", { hints: [{ key: "tag", value: "nightly report" }] }),
  },
  { sql: "/* not a hint: route=primary */ SELECT 1", expect: read("select", { hints: [] }) },
  { sql: "SELECT '/* sluice: route=primary */'", expect: read("select", { hints: [] }) },
  {
    sql: "/* sluice: route=primary */ /* sluice: timeout=5 */ UPDATE t SET a = 1",
    expect: write("update", {
      hints: [
        { key: "route", value: "primary" },
        { key: "timeout", value: "5" },
      ],
    }),
  },
);

// ── multi-statement, compound statements ─────────────────────────────────────────────────────
CASES.push(
  { sql: "SELECT 1; SELECT 2", expect: read("multi_statement", { statementCount: 2 }) },
  {
    sql: "SELECT 1; UPDATE t SET a = 1",
    expect: write("multi_statement", { statementCount: 2, writeTables: [T("t")] }),
  },
  { sql: "SET @a = 1; SELECT @a", expect: read("multi_statement", { statementCount: 2 }) },
  {
    sql: "SELECT ';'; SELECT \"a;b\"; SELECT `c;d` FROM t",
    expect: read("multi_statement", { statementCount: 3 }),
  },
  { sql: "SELECT 1 /* ; */; -- ;\nSELECT 2", expect: read("multi_statement", { statementCount: 2 }) },
  { sql: "BEGIN; UPDATE t SET a = 1; COMMIT", expect: write("multi_statement", { statementCount: 3 }) },
  { sql: "SELECT 1;;", expect: read("select", { statementCount: 1 }) },
  { sql: "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", expect: write("compound", { statementCount: 1 }) },
  { sql: "IF 1 > 0 THEN SELECT 1; ELSE SELECT 2; END IF", expect: write("compound", { statementCount: 1 }) },
  {
    sql: "BEGIN NOT ATOMIC DECLARE x INT DEFAULT 0; lbl: LOOP SET x = x + 1; IF x > 2 THEN LEAVE lbl; END IF; END LOOP; END",
    expect: write("compound", { statementCount: 1 }),
  },
  {
    sql: "BEGIN NOT ATOMIC SELECT CASE WHEN 1 THEN 2 END; END",
    expect: write("compound", { statementCount: 1 }),
  },
);

// ── junk and the unknown: always writes ──────────────────────────────────────────────────────
const junk: E = { kind: "unknown", writes: true, parse: "unknown" };
group(junk, [
  "FOO BAR",
  "SELEC * FROM t",
  "hello",
  "42",
  "'just a string'",
  "( 1 + 2 )",
  "DELIMITER $$",
  "\\G",
  "@x := 1",
  "WITH x AS (SELECT 1)",
  "RELEASE",
  "LOCK",
  "XA",
  "UNLOCK",
  "GET",
]);
CASES.push(
  { sql: "SELECT 'unterminated", expect: { writes: true, parse: "unknown" } },
  { sql: "SELECT 1 /* unterminated comment", expect: { writes: true, parse: "unknown" } },
  { sql: "", expect: { kind: "empty", writes: false } },
  { sql: "   ", expect: { kind: "empty", writes: false } },
  { sql: "/* only a comment */", expect: { kind: "empty", writes: false } },
  { sql: "-- only a comment", expect: { kind: "empty", writes: false } },
  { sql: ";", expect: { kind: "empty", writes: false } },
);

// ── context: ANSI_QUOTES, NO_BACKSLASH_ESCAPES ───────────────────────────────────────────────
const MODE = { server: "skip" as const, why: "needs a session sql_mode the test does not set" };
CASES.push(
  {
    sql: 'SELECT "a" FROM "t"',
    expect: read("select", { tables: [T("t")] }),
    context: { ansiQuotes: true },
    ...MODE,
  },
  {
    sql: 'SELECT * FROM "db"."t" WHERE a = \'x\'',
    expect: read("select", { tables: [T("t", "db")] }),
    context: { ansiQuotes: true },
    ...MODE,
  },
  {
    sql: "SELECT 'a\\'; UPDATE t SET a = 1; -- '",
    expect: write("multi_statement", { statementCount: 2 }),
    context: { noBackslashEscapes: true },
    ...MODE,
  },
  {
    sql: "SELECT 'a\\'; UPDATE t SET a = 1; -- '",
    expect: read("select", { statementCount: 1 }),
    server: "skip",
    why: "the server would reject the unterminated remainder as a syntax error; facts only",
  },
);
