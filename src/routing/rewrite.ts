import { classifyCached } from "../classifier/cache.js";
import type { Rewrite } from "../policy/ir.js";

const compiled = new Map<string, RegExp>();

/**
 * Applies a policy rewrite to a statement. A regex rewrite replaces every match (`$1`… refer to
 * groups); a digest rewrite applies only when the statement's digest equals the template, and
 * fills the replacement's `?` with the statement's literals in order.
 */
export function applyRewrite(rewrite: Rewrite, sql: string): string {
  if (rewrite.kind === "regex") {
    const key = `${rewrite.flags}/${rewrite.source}`;
    let re = compiled.get(key);
    if (re === undefined) {
      re = new RegExp(rewrite.source, rewrite.flags.includes("g") ? rewrite.flags : `${rewrite.flags}g`);
      compiled.set(key, re);
    }
    re.lastIndex = 0;
    return sql.replace(re, rewrite.replacement);
  }
  if (classifyCached(sql).digest !== rewrite.template) return sql;
  const literals = extractLiterals(sql);
  let i = 0;
  return rewrite.replacement.replace(/\?/g, () => literals[i++] ?? "NULL");
}

/** Quoted strings and numbers, in order of appearance (what the digest replaced by `?`). */
function extractLiterals(sql: string): string[] {
  const out: string[] = [];
  const re =
    /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`|\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b|\b0x[0-9a-fA-F]+\b/g;
  for (const m of sql.matchAll(re)) if (!m[0].startsWith("`")) out.push(m[0]);
  return out;
}
