import { category } from "./compare.js";
import { OPENING, type Step } from "./grammar.js";
import type { KnownGap } from "./known-gaps.js";
import { type DiffEnv, type PairResult, runPair } from "./pair.js";

/**
 * The minimal scripts `npm run differential` shrank each known gap's failures to (commit
 * db6c776). The CI test runs the script of every gap that is no longer in KNOWN_GAPS, so taking
 * an entry out tests its bug even when the random sessions of a short run miss it.
 */
export interface Regression {
  /** the KNOWN_GAPS entry it belongs to */
  readonly gap: string;
  readonly script: readonly Step[];
}

const s = (kind: string, sql: string): Step => ({ kind, sql });
const bin = (sql: string): Step => ({ kind: "prepare-binary", sql, binary: [] });

export const REGRESSIONS: readonly Regression[] = [
  {
    gap: "session-state-changed-flag",
    script: [OPENING, s("transactions", "BEGIN"), s("transactions", "BEGIN")],
  },
  {
    gap: "transaction-characteristics",
    script: [
      OPENING,
      s("tx-characteristics", "SET TRANSACTION READ ONLY"),
      s("set-names", "SELECT @@character_set_client, @@character_set_results, @@collation_connection"),
      s("write", "DELETE FROM {t} WHERE a = 0 AND id > 6"),
    ],
  },
  {
    gap: "transaction-characteristics",
    script: [
      OPENING,
      s("autocommit", "SET autocommit = 0"),
      s("count", "SELECT COUNT(*) FROM {t} WHERE a < 0"),
      s("tx-characteristics", "SET SESSION TRANSACTION READ ONLY"),
      s("autocommit", "SET autocommit = 1"),
      s("write-explicit-id", "INSERT INTO {t} (id, a, b) VALUES (24, 4, 4)"),
    ],
  },
  {
    gap: "prepared-statement-results",
    script: [OPENING, bin("SELECT LAST_INSERT_ID(), ROW_COUNT()")],
  },
  {
    gap: "prepared-statement-results",
    script: [
      OPENING,
      s("prepare-text", "PREPARE s3 FROM 'SELECT LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS()'"),
      s("session-vars", "SELECT @@div_precision_increment"),
      s("prepare-text", "EXECUTE s3"),
    ],
  },
  {
    gap: "last-insert-id-lost",
    script: [
      OPENING,
      s("last-insert-id-expr", "DO LAST_INSERT_ID(70)"),
      s("warnings-raise", "INSERT INTO {t} (a, b, s) VALUES (1, 1, 'longer than twenty characters')"),
      s("last-insert-id-read", "INSERT INTO {t} (a, b) VALUES (NULL, LAST_INSERT_ID())"),
    ],
  },
  {
    gap: "last-insert-id-lost",
    script: [
      OPENING,
      s("last-insert-id-read", "UPDATE {t} SET b = LAST_INSERT_ID(b + 1) WHERE id = 1"),
      s("temporary-tables", "SELECT * FROM tmp ORDER BY id"),
      s(
        "write-explicit-id",
        "INSERT INTO {t} (id, a, b) VALUES (1, 0, 0) ON DUPLICATE KEY UPDATE b = b + 10",
      ),
      s("last-insert-id-read", "SELECT LAST_INSERT_ID()"),
    ],
  },
  {
    gap: "found-rows-after-explain",
    script: [
      OPENING,
      s("warnings-read", "SHOW WARNINGS"),
      s("explain-locking", "EXPLAIN SELECT * FROM {t} FOR UPDATE"),
      s("found-rows-read", "SELECT FOUND_ROWS()"),
    ],
  },
  {
    gap: "found-rows-after-show-count",
    script: [
      OPENING,
      s("read", "SELECT id, a FROM {t} WHERE a > 0 ORDER BY id LIMIT 3"),
      s("warnings-read", "SHOW COUNT(*) WARNINGS"),
      s("found-rows-read", "SELECT FOUND_ROWS()"),
    ],
  },
  {
    gap: "user-variable-null-type",
    script: [
      OPENING,
      s("user-vars-expr", "SET @w = @x + 1"),
      s("calc-found-rows", "SELECT SQL_CALC_FOUND_ROWS id FROM {t} ORDER BY id LIMIT 0"),
      s("user-vars-expr", "SELECT @w"),
    ],
  },
  {
    gap: "sql-mode-default",
    script: [OPENING, s("sql-mode", "SET SESSION sql_mode = DEFAULT"), s("sql-mode", "SELECT @@sql_mode")],
  },
  {
    gap: "diagnostics",
    script: [
      OPENING,
      s("temporary-tables", "INSERT INTO tmp VALUES (0, 0)"),
      s("diagnostics", "GET DIAGNOSTICS @dn = NUMBER, @dr = ROW_COUNT"),
    ],
  },
  {
    gap: "diagnostics",
    script: [
      OPENING,
      s("diagnostics", "GET DIAGNOSTICS CONDITION 1 @de = MYSQL_ERRNO, @dm = MESSAGE_TEXT"),
      s("warnings-read", "SHOW WARNINGS"),
    ],
  },
];

let nextTable = 2_000_000;

/**
 * Runs the regression scripts of the gaps not in `gaps`, each as `copies` sessions at once;
 * returns the failing runs (with the gap each belongs to).
 */
export async function runRegressions(
  env: DiffEnv,
  gaps: Readonly<Record<string, KnownGap>>,
  copies = 4,
): Promise<{ readonly gap: string; readonly result: PairResult }[]> {
  const failing: { gap: string; result: PairResult }[] = [];
  for (const r of REGRESSIONS.filter((x) => gaps[x.gap] === undefined)) {
    const runs = await Promise.all(Array.from({ length: copies }, () => runPair(env, nextTable++, r.script)));
    const bad = runs.find((x) => x.mismatches.length > 0);
    if (bad !== undefined) failing.push({ gap: r.gap, result: bad });
  }
  return failing;
}

/** For reports: the categories a failing regression run shows. */
export function categoriesOf(result: PairResult): string[] {
  return [...new Set(result.mismatches.map(category))];
}
