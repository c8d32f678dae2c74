/**
 * A front cache for the classifier, keyed by a statement's *shape*: its text with numeric and
 * quoted-string literals replaced by `?`, found by one cheap scan. Logs repeat a few hundred
 * shapes with different literals millions of times, and this scan costs far less than the
 * tokenize-and-digest the classifier's own cache needs per lookup.
 *
 * Safe by construction, not by luck: a text is only given a key when the scan is sure what every
 * character is — no comments (hints and executable comments live there), no backslashes (escape
 * rules depend on sql_mode), no unterminated quotes — and facts are only cached when the
 * classifier says they do not depend on literals. Anything else
 * goes straight to the classifier. When full, the table is simply cleared (no per-entry eviction
 * on the hot path).
 */
import type { Facts } from "../classifier/facts.js";

/** Comments (which may hold hints or executable code) and backslashes (escapes depend on
 *  sql_mode) anywhere in the text: no key. Conservative: also inside strings. */
const UNSURE = /[\\#]|\/\*|--/;
const NUMBER = String.raw`(?<![\w$\u0080-\uffff])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w$\u0080-\uffff])`;
const STRINGS = String.raw`'(?:[^'\\]|'')*'|"(?:[^"\\]|"")*"`;
const LITERALS = new RegExp(`${STRINGS}|${NUMBER}`, "g");
/** with quoted identifiers, which are kept as written (they may hold quotes and digits) */
const LITERALS_OR_IDENTIFIERS = new RegExp(`\`[^\`]*\`|${STRINGS}|${NUMBER}`, "g");
const QUOTE_LEFT = /['"]/;

/**
 * The text with literals replaced by `?`, or null when the scan cannot be sure of its reading.
 * A number glued to letters (`0x1F`, `1abc`, `t1`) is left as written: a key that keeps more of
 * the text is only more specific, never wrong.
 */
export function shapeKey(sql: string): string | null {
  if (UNSURE.test(sql)) return null;
  let key: string;
  if (sql.includes("`")) {
    if ((sql.match(/`/g)?.length ?? 0) % 2 !== 0) return null; // an unterminated quoted identifier
    key = sql.replace(LITERALS_OR_IDENTIFIERS, (m) => (m.charCodeAt(0) === 96 ? m : "?"));
  } else {
    key = sql.replace(LITERALS, "?");
  }
  // a quote left over is an unterminated string (or a quote inside a quoted identifier): give up
  return QUOTE_LEFT.test(key) ? null : key;
}

/** Facts that hold for any literals in the statement (what the classifier's cache also checks). */
function literalFree(f: Facts): boolean {
  if (f.parse !== "ok" || f.hints.length > 0) return false;
  if (f.preparedSql !== null && f.preparedSql !== undefined) return false;
  for (const e of f.sessionEffects) {
    switch (e.kind) {
      case "set_variable":
      case "user_variable":
      case "set_autocommit":
      case "set_names":
      case "set_charset":
      case "set_transaction":
        return false;
    }
  }
  return true;
}

export class ShapeCache {
  private readonly byShape = new Map<string, Facts>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly classify: (sql: string) => Facts,
    private readonly maxEntries = 50_000,
  ) {}

  classifyText(sql: string): Facts {
    const key = shapeKey(sql);
    if (key !== null) {
      const hit = this.byShape.get(key);
      if (hit !== undefined) {
        this.hits++;
        return hit;
      }
    }
    this.misses++;
    const facts = this.classify(sql);
    if (key !== null && literalFree(facts)) {
      if (this.byShape.size >= this.maxEntries) this.byShape.clear();
      this.byShape.set(key, facts);
    }
    return facts;
  }
}
