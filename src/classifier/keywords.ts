/**
 * The words the classifier recognises. A word token carries its keyword (one of the interned
 * upper-case strings below) or null, found through a 32-bit hash of its upper-cased characters
 * computed while the tokenizer scans it: no per-token string is allocated for the lookup.
 *
 * The list holds the statement words, clause words, and the function names the classifier reacts
 * to. `RESERVED` marks the words that can never be an alias or a function name (this drives alias
 * skipping in table lists and the spacing of `(` in digests).
 */
// biome-ignore format: a dense word list reads better than one word per line
export const KEYWORDS = [
  "ACCOUNT", "ACTION", "ADD", "AFTER", "AGAINST", "AGGREGATE", "ALGORITHM", "ALL", "ALTER", "ANALYZE",
  "AND", "AS", "ASC", "AUTOCOMMIT", "BACKUP", "BEFORE", "BEGIN", "BETWEEN", "BINLOG", "BODY", "BOTH",
  "BY", "CACHE", "CALL", "CASCADE", "CASE", "CHAIN", "CHANGE", "CHAR", "CHARACTER", "CHARSET", "CHECK",
  "CHECKSUM", "CLOSE", "COLLATE", "COLUMN", "COLUMNS", "COMMIT", "COMMITTED", "CONDITION", "CONSISTENT",
  "CONSTRAINT", "CONVERT", "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_USER", "CURSOR", "DATA",
  "DATABASE", "DATABASES", "DEALLOCATE", "DECLARE", "DEFAULT", "DEFINER", "DELAYED", "DELETE", "DESC",
  "DESCRIBE", "DIAGNOSTICS", "DISTINCT", "DISTINCTROW", "DIV", "DO", "DROP", "DUAL", "DUMPFILE",
  "DUPLICATE", "EACH", "ELSE", "ELSEIF", "END", "ENGINE", "ENGINES", "ERRORS", "ESCAPE", "EVENT", "EVENTS",
  "EXCEPT", "EXECUTE", "EXISTS", "EXPLAIN", "EXTENDED", "EXTRACT", "FALSE", "FETCH", "FIELDS", "FIRST",
  "FLUSH", "FOR", "FORCE", "FOREIGN", "FORMAT", "FOUND_ROWS", "FROM", "FULL", "FULLTEXT", "FUNCTION",
  "FUNCTIONS", "GET", "GET_LOCK", "GLOBAL", "GRANT", "GRANTS", "GROUP", "HANDLER", "HAVING", "HELP",
  "HIGH_PRIORITY", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXES", "INFILE", "INNER", "INSERT",
  "INSTALL", "INSTANCE", "INTERSECT", "INTERVAL", "INTO", "INVOKER", "IS", "IS_FREE_LOCK", "IS_USED_LOCK",
  "ISOLATION", "ITERATE", "JOIN", "KEY", "KEYS", "KILL", "LASTVAL", "LAST_INSERT_ID", "LEADING", "LEAVE",
  "LEFT", "LEVEL", "LIKE", "LIMIT", "LINES", "LOAD", "LOCAL", "LOCK", "LOCKED", "LOGFILE", "LOGS", "LOOP",
  "LOW_PRIORITY", "MASTER", "MATCH", "MOD", "MODE", "NAMES", "NATURAL", "NEXT", "NEXTVAL", "NO", "NONE",
  "NOT", "NOWAIT", "NO_WRITE_TO_BINLOG", "NULL", "OFF", "OFFSET", "ON", "ONE", "ONLINE", "ONLY", "OPEN",
  "OPTIMIZE", "OPTION", "OR", "ORDER", "OUTER", "OUTFILE", "OVER", "PACKAGE", "PARTITION", "PASSWORD",
  "PHASE", "PLUGIN", "PLUGINS", "POSITION", "PREPARE", "PREVIOUS", "PRIMARY", "PRIVILEGES", "PROCEDURE",
  "PROCESSLIST", "PROFILE", "PROFILES", "PURGE", "QUERY", "QUICK", "READ", "RECOVER", "RECURSIVE",
  "REFERENCES", "REGEXP", "RELAYLOG", "RELEASE", "RELEASE_ALL_LOCKS", "RELEASE_LOCK", "RENAME", "REPAIR",
  "REPEAT", "REPEATABLE", "REPLACE", "REPLICA", "REPLICAS", "REPLICATION", "RESET", "RESIGNAL", "RESTRICT",
  "RESUME", "RETURN", "RETURNS", "REVOKE", "RIGHT", "RLIKE", "ROLE", "ROLLBACK", "ROW", "ROW_COUNT",
  "SAVEPOINT", "SCHEMA", "SCHEMAS", "SECURITY", "SELECT", "SEPARATOR", "SEQUENCE", "SERIALIZABLE",
  "SERVER", "SESSION", "SET", "SETVAL", "SHARE", "SHOW", "SHUTDOWN", "SIGNAL", "SKIP", "SLAVE", "SLAVES",
  "SNAPSHOT", "SONAME", "SOUNDS", "SPATIAL", "SQL", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE",
  "SQL_CALC_FOUND_ROWS", "SQL_NO_CACHE", "SQL_SMALL_RESULT", "STAGE", "START", "STATEMENT", "STATUS",
  "STOP", "STORAGE", "STRAIGHT_JOIN", "SUBSTR", "SUBSTRING", "TABLE", "TABLES", "TABLESPACE",
  "TEMPORARY", "TERMINATED", "THEN", "TO", "TRAILING", "TRANSACTION", "TRIGGER", "TRIGGERS", "TRIM",
  "TRUE", "TRUNCATE", "UNCOMMITTED", "UNINSTALL", "UNION", "UNIQUE", "UNKNOWN", "UNLOCK", "UNTIL",
  "UPDATE", "UPGRADE", "USAGE", "USE", "USER", "USING", "VALUE", "VALUES", "VARIABLES", "VIEW", "WAIT",
  "WARNINGS", "WHEN", "WHERE", "WHILE", "WINDOW", "WITH", "WORK", "WRITE", "XA", "XML", "XOR",
] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** Words that are reserved in MariaDB/MySQL (cannot be an unquoted alias or function name). */
// biome-ignore format: a dense word list reads better than one word per line
const RESERVED_LIST: readonly Keyword[] = [
  "ADD", "ALL", "ALTER", "ANALYZE", "AND", "AS", "ASC", "BEFORE", "BETWEEN", "BOTH", "BY", "CALL",
  "CASCADE", "CASE", "CHANGE", "CHECK", "COLLATE", "COLUMN", "CONDITION", "CONSTRAINT", "CREATE",
  "CROSS", "CURSOR", "DATABASE", "DATABASES", "DECLARE", "DEFAULT", "DELAYED", "DELETE", "DESC",
  "DESCRIBE", "DISTINCT", "DISTINCTROW", "DIV", "DROP", "DUAL", "EACH", "ELSE", "ELSEIF", "EXCEPT",
  "EXISTS", "EXPLAIN", "FALSE", "FETCH", "FOR", "FORCE", "FOREIGN", "FROM", "FULLTEXT", "GRANT", "GROUP",
  "HAVING", "HIGH_PRIORITY", "IF", "IGNORE", "IN", "INDEX", "INFILE", "INNER", "INSERT", "INTERSECT",
  "INTERVAL", "INTO", "IS", "ITERATE", "JOIN", "KEY", "KEYS", "KILL", "LEADING", "LEAVE", "LIKE", "LIMIT",
  "LINES", "LOAD", "LOCK", "LOOP", "LOW_PRIORITY", "MATCH", "MOD", "NATURAL", "NOT", "NO_WRITE_TO_BINLOG",
  "NULL", "ON", "OPTIMIZE", "OPTION", "OR", "ORDER", "OUTER", "OUTFILE", "OVER", "PARTITION", "PRIMARY",
  "PROCEDURE", "PURGE", "READ", "RECURSIVE", "REFERENCES", "REGEXP", "RELEASE", "RENAME", "REPEAT",
  "REPLACE", "RESIGNAL", "RESTRICT", "RETURN", "REVOKE", "RLIKE", "SCHEMA", "SCHEMAS", "SELECT",
  "SEPARATOR", "SET", "SHOW", "SIGNAL", "SPATIAL", "SQL", "SQL_BIG_RESULT", "SQL_CALC_FOUND_ROWS",
  "SQL_SMALL_RESULT", "STRAIGHT_JOIN", "TABLE", "TERMINATED", "THEN", "TO", "TRAILING", "TRIGGER", "TRUE",
  "UNION", "UNIQUE", "UNLOCK", "UNTIL", "UPDATE", "USAGE", "USE", "USING", "VALUES", "WHEN", "WHERE",
  "WHILE", "WINDOW", "WITH", "WRITE", "XOR",
];
const RESERVED = new Set<Keyword>(RESERVED_LIST);

export function isReserved(k: Keyword | null): boolean {
  return k !== null && RESERVED.has(k);
}

export const FNV32_OFFSET = 0x811c9dc5;
export const FNV32_PRIME = 0x01000193;

/** ASCII upper-casing of one char code (the keyword hash is over upper-cased codes). */
export function upperCode(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

function hashUpper(s: string): number {
  let h = FNV32_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ upperCode(s.charCodeAt(i)), FNV32_PRIME);
  return h;
}

// hash → keywords with that hash (collisions are checked by comparing characters)
const BY_HASH = new Map<number, Keyword[]>();
for (const k of KEYWORDS) {
  const h = hashUpper(k);
  const bucket = BY_HASH.get(h);
  if (bucket === undefined) BY_HASH.set(h, [k]);
  else bucket.push(k);
}

/** The keyword spelled by sql[start, end) (any case), given the upper-case hash of those chars. */
export function keywordFor(sql: string, start: number, end: number, hash: number): Keyword | null {
  const bucket = BY_HASH.get(hash);
  if (bucket === undefined) return null;
  const len = end - start;
  for (const k of bucket) {
    if (k.length !== len) continue;
    let same = true;
    for (let i = 0; i < len; i++) {
      if (upperCode(sql.charCodeAt(start + i)) !== k.charCodeAt(i)) {
        same = false;
        break;
      }
    }
    if (same) return k;
  }
  return null;
}

/** Look a word up by its text (used by tests and non-hot paths). */
export function keywordOf(word: string): Keyword | null {
  return keywordFor(word, 0, word.length, hashUpper(word));
}
