import { FactsBuilder } from "./builder.js";
import { buildDigest } from "./digest.js";
import type { ClassifyContext, Facts, LockingMode } from "./facts.js";
import { fnv1a64 } from "./fingerprint.js";
import { KIND_INFO } from "./kind-info.js";
import { recognize } from "./recognize.js";
import { type StatementRange, statementRanges } from "./split.js";
import { tokenize } from "./tokenizer.js";
import type { Tokens } from "./tokens.js";
import { userVariableReads } from "./user-variables.js";

/**
 * The facts of a SQL text. Several statements (`a; b`) give merged facts with kind
 * `multi_statement` (see `classifyAll` for each part). Never throws; whatever it cannot read is
 * `parse: "unknown"` and `writes: true`.
 */
export function classify(sql: string, context?: ClassifyContext): Facts {
  return classifyTokens(tokenize(sql, context));
}

/** `classify` on an already tokenized text (the cache tokenizes once for its digest lookup). */
export function classifyTokens(t: Tokens, ranges: readonly StatementRange[] = statementRanges(t)): Facts {
  if (ranges.length <= 1) return classifyRange(t, ranges[0] ?? { from: 0, to: 0 }, true);
  return mergeFacts(ranges.map((r, k) => classifyRange(t, r, k === ranges.length - 1)));
}

/** The facts of each statement of a multi-statement text, in order (empty text: one `empty`). */
export function classifyAll(sql: string, context?: ClassifyContext): Facts[] {
  const t = tokenize(sql, context);
  const ranges = statementRanges(t);
  if (ranges.length === 0) return [classifyRange(t, { from: 0, to: 0 }, true)];
  return ranges.map((r, k) => classifyRange(t, r, k === ranges.length - 1));
}

export function classifyRange(t: Tokens, r: StatementRange, last: boolean): Facts {
  const b = new FactsBuilder();
  const v = { t, from: r.from, to: r.to };
  try {
    recognize(v, b, r.from);
  } catch {
    // a recogniser bug must not take the proxy down: fall back to the safe answer
    b.setKind("unknown");
    b.parse = "unknown";
  }
  b.userVariables = userVariableReads(v, b.kind);
  // hints belong to the statement whose tokens follow them (trailing ones to the last statement)
  for (const h of t.hints) {
    if (h.token >= r.from && (h.token <= r.to || last)) b.hints.push(h.hint);
  }
  if (t.unterminated) {
    // an unclosed quote or comment: the server will not read it as we did
    b.parse = "unknown";
  }
  if (b.parse === "unknown") b.writes = true;
  const digest = buildDigest(v);
  return b.build(digest, fnv1a64(digest));
}

const LOCK_STRENGTH: Record<LockingMode, number> = {
  none: 0,
  lock_in_share_mode: 1,
  for_share: 1,
  for_update: 2,
};

/** Merge the facts of several statements: writes if any writes, union of lists, strongest lock. */
export function mergeFacts(parts: readonly Facts[]): Facts {
  const first = parts[0];
  if (first === undefined) throw new Error("mergeFacts needs at least one statement");
  if (parts.length === 1) return first;
  let locking: LockingMode = "none";
  let lockWait: Facts["lockWait"] = "wait";
  let transaction: Facts["transaction"] = null;
  let parse: Facts["parse"] = "ok";
  for (const p of parts) {
    if (LOCK_STRENGTH[p.locking] > LOCK_STRENGTH[locking]) locking = p.locking;
    if (p.lockWait !== "wait") lockWait = p.lockWait;
    if (p.transaction !== null) transaction = p.transaction;
    if (p.parse === "unknown" || (p.parse === "partial" && parse === "ok")) parse = p.parse;
  }
  const union = <T>(pick: (f: Facts) => readonly T[], key: (x: T) => string): T[] => {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const p of parts) {
      for (const x of pick(p)) {
        const k = key(x);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(x);
        }
      }
    }
    return out;
  };
  const same = (x: string) => x;
  const tableKey = (x: { schema: string | null; name: string }) => `${x.schema ?? ""}.${x.name}`;
  const digest = parts.map((p) => p.digest).join("; ");
  return {
    kind: "multi_statement",
    family: KIND_INFO.multi_statement.family,
    writes: parts.some((p) => p.writes),
    locking,
    lockWait,
    transaction,
    implicitCommit: parts.some((p) => p.implicitCommit),
    sessionEffects: parts.flatMap((p) => p.sessionEffects),
    sameConnection: union((p) => p.sameConnection, same),
    produces: union((p) => p.produces, same),
    tables: union((p) => p.tables, tableKey),
    writeTables: union((p) => p.writeTables, tableKey),
    functions: union((p) => p.functions, same),
    systemVariables: union((p) => p.systemVariables, same),
    userVariables: union((p) => p.userVariables ?? [], same),
    hints: union(
      (p) => p.hints,
      (h) => `${h.key}=${h.value}`,
    ),
    digest,
    fingerprint: fnv1a64(digest),
    parse,
    statementCount: parts.length,
    preparedSql: null,
  };
}
