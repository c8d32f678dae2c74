/**
 * Turns an abstract assignment into a concrete decision input (a witness) and a readable
 * description of it. Strings in an "other" class are synthesised to satisfy the patterns; when
 * that fails the witness is marked approximate and lint says "may".
 */
import type { Facts, SessionEffect, TableRef, TransactionEffect } from "../../classifier/facts.js";
import { evalPred } from "../compile/first-match.js";
import type { DecisionInput } from "../input.js";
import type { Pattern, Pred } from "../ir.js";
import { patternRegExp } from "../pattern.js";
import { BASE_FACTS, BASE_SESSION } from "./base-input.js";
import type { ClassValue, Dimension } from "./dimensions.js";
import type { Assignment } from "./solver.js";

export interface Witness {
  readonly input: DecisionInput;
  readonly description: string;
  /** true when a pattern combination could not be realised as a concrete string */
  readonly approximate: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `keep`: dimensions always described; others only when they differ from a plain SELECT. */
export function concretize(
  assignment: Assignment,
  dims: ReadonlyMap<string, Dimension>,
  keep?: ReadonlySet<string>,
): Witness {
  const facts: Mutable<Facts> = { ...BASE_FACTS };
  const session = { ...BASE_SESSION } as Mutable<typeof BASE_SESSION>;
  let approximate = false;
  const parts: string[] = [];
  let temporary = false;
  const baseText = describeBase();
  const setBits = new Map<string, { pred: Pred; value: boolean }[]>();
  for (const [id, c] of [...assignment].sort((a, b) => a[0].localeCompare(b[0]))) {
    const dim = dims.get(id);
    const cls = dim?.classes[c];
    if (!dim || !cls) continue;
    const patterns = dimPatterns(dim);
    const literals = dimLiterals(dim);
    switch (cls.kind) {
      case "bool":
        setBool(facts, session, id, cls.value);
        if (id === "temporary_table") temporary = cls.value;
        parts.push(cls.value ? id : `not ${id}`);
        break;
      case "enum":
        setEnum(facts, id, cls.value);
        parts.push(`${id} = ${cls.value}`);
        break;
      case "null":
        setString(facts, session, id, null);
        parts.push(`${id} = null`);
        break;
      case "literal":
        setString(facts, session, id, cls.value);
        parts.push(`${id} = ${JSON.stringify(cls.value)}`);
        break;
      case "other-string": {
        const s = synthesize(cls.patternBits, patterns, literals, (v, p) => patternRegExp(p).test(v));
        approximate ||= s.approximate;
        setString(facts, session, id, s.value);
        parts.push(`${id} = ${JSON.stringify(s.value)}`);
        break;
      }
      case "set-bit": {
        const pred = dim.preds[0]!;
        const list = setBits.get(pred.dim) ?? [];
        list.push({ pred, value: cls.value });
        setBits.set(pred.dim, list);
        break;
      }
      case "set": {
        const values = cls.elements.map((e) => e.value);
        setSet(facts, id, values);
        parts.push(`${id} = [${values.join(", ")}]`);
        break;
      }
    }
  }
  for (const [dimId, bits] of setBits) {
    const values = realiseSet(bits);
    setSet(facts, dimId, values);
    const input = { facts, session };
    approximate ||= bits.some((b) => evalPred(b.pred, input) !== b.value);
    parts.push(`${dimId} = [${values.map((v) => JSON.stringify(v)).join(", ")}]`);
  }
  if (temporary && facts.tables.length > 0) session.temporaryTables = [facts.tables[0]!.name.toLowerCase()];
  const shown = keep === undefined ? parts : parts.filter((p) => keep.has(dimOfPart(p)) || !baseText.has(p));
  const description = shown.length === 0 ? "a plain SELECT" : shown.join(", ");
  return { input: { facts, session }, description, approximate };
}

function dimOfPart(part: string): string {
  return part.replace(/^not /, "").split(" ")[0]!;
}

/** How the base input's values read, so a description can leave them out. */
function describeBase(): Set<string> {
  const out = new Set<string>();
  for (const b of [
    "writes",
    "implicit_commit",
    "in_transaction",
    "read_only_transaction",
    "pinned",
    "temporary_table",
  ])
    out.add(`not ${b}`);
  out.add("autocommit");
  out.add(`kind = ${BASE_FACTS.kind}`);
  out.add(`family = ${BASE_FACTS.family}`);
  out.add("locking = none");
  out.add("lock_wait = wait");
  out.add("transaction = none");
  out.add("parse = ok");
  for (const s of [
    "same_connection",
    "produces",
    "session_effects",
    "tables",
    "write_tables",
    "functions",
    "system_variables",
  ])
    out.add(`${s} = []`);
  out.add("schema = null");
  out.add("previous_pool = null");
  return out;
}

/** Elements for a string set: one per test that must hold, avoiding tests that must not. */
function realiseSet(bits: readonly { pred: Pred; value: boolean }[]): string[] {
  const out: string[] = [];
  for (const { pred, value } of bits) {
    if (!value) continue;
    if (pred.kind === "set-has") out.push(pred.values[0]!);
    else if (pred.kind === "set-match") {
      const p = pred.pattern;
      out.push(
        p.kind === "glob"
          ? p.glob.replace(/\*/g, "zz").replace(/\?/g, "z")
          : p.source
              .replace(/^\^|\$$/g, "")
              .replace(/\\(.)/g, "$1")
              .replace(/[.*+?()[\]{}|]/g, ""),
      );
    } else if (out.length === 0) out.push("zz_other.zz_other");
  }
  return [...new Set(out)];
}

function dimPatterns(dim: Dimension): Pattern[] {
  const out = new Map<string, Pattern>();
  for (const p of dim.preds)
    if (p.kind === "str-match" || p.kind === "set-match") out.set(JSON.stringify(p.pattern), p.pattern);
  return [...out.values()];
}
function dimLiterals(dim: Dimension): string[] {
  return dim.preds.flatMap((p: Pred) => (p.kind === "str-in" || p.kind === "set-has" ? p.values : []));
}

function synthesize(
  bits: number,
  patterns: readonly Pattern[],
  literals: readonly string[],
  test: (v: string, p: Pattern) => boolean,
): { value: string; approximate: boolean } {
  const candidates = ["zz_other"];
  for (const p of patterns) {
    if (p.kind === "glob") candidates.push(p.glob.replace(/\*/g, "zz").replace(/\?/g, "z"));
    else
      candidates.push(
        p.source
          .replace(/^\^|\$$/g, "")
          .replace(/\\(.)/g, "$1")
          .replace(/[.*+?()[\]{}|]/g, ""),
      );
  }
  for (const c of candidates) {
    if (literals.includes(c)) continue;
    if (patterns.every((p, j) => test(c, p) === ((bits & (1 << j)) !== 0)))
      return { value: c, approximate: false };
  }
  return { value: candidates[candidates.length - 1] ?? "zz_other", approximate: true };
}

function setBool(facts: Mutable<Facts>, session: Mutable<typeof BASE_SESSION>, id: string, v: boolean): void {
  if (id === "writes") facts.writes = v;
  else if (id === "implicit_commit") facts.implicitCommit = v;
  else if (id === "in_transaction") session.inTransaction = v;
  else if (id === "read_only_transaction") session.readOnlyTransaction = v;
  else if (id === "autocommit") session.autocommit = v;
  else if (id === "pinned") session.pinned = v;
}

function setEnum(facts: Mutable<Facts>, id: string, v: string): void {
  if (id === "kind") facts.kind = v as Facts["kind"];
  else if (id === "family") facts.family = v as Facts["family"];
  else if (id === "locking") facts.locking = v as Facts["locking"];
  else if (id === "lock_wait") facts.lockWait = v as Facts["lockWait"];
  else if (id === "parse") facts.parse = v as Facts["parse"];
  else if (id === "transaction")
    facts.transaction = v === "none" ? null : transactionEffect(v as TransactionEffect["kind"]);
}

function transactionEffect(kind: TransactionEffect["kind"]): TransactionEffect {
  switch (kind) {
    case "begin":
      return { kind, readOnly: null, consistentSnapshot: false };
    case "commit":
    case "rollback":
      return { kind, chain: false, release: false };
    case "rollback_to_savepoint":
    case "savepoint":
    case "release_savepoint":
      return { kind, name: "sp" };
    case "xa":
      return { kind, action: "start" };
  }
}

function setString(
  facts: Mutable<Facts>,
  session: Mutable<typeof BASE_SESSION>,
  id: string,
  v: string | null,
): void {
  if (id.startsWith("hint.")) {
    const key = id.slice(5);
    facts.hints = [...facts.hints.filter((h) => h.key !== key), ...(v === null ? [] : [{ key, value: v }])];
  } else if (id === "user") session.user = v ?? "";
  else if (id === "client_address") session.clientAddress = v ?? "";
  else if (id === "schema") session.schema = v;
  else if (id === "previous_pool") session.previousPool = v;
  else if (id === "digest") facts.digest = v ?? "";
  else if (id === "fingerprint") facts.fingerprint = v ?? "";
}

function setSet(facts: Mutable<Facts>, id: string, values: string[]): void {
  const tables = (): TableRef[] =>
    values.map((v) => {
      const dot = v.indexOf(".");
      return dot < 0 ? { schema: null, name: v } : { schema: v.slice(0, dot), name: v.slice(dot + 1) };
    });
  if (id === "tables") facts.tables = tables();
  else if (id === "write_tables") facts.writeTables = tables();
  else if (id === "functions") facts.functions = values;
  else if (id === "system_variables") facts.systemVariables = values;
  else if (id === "same_connection") facts.sameConnection = values as Facts["sameConnection"];
  else if (id === "produces") facts.produces = values as Facts["produces"];
  else if (id === "session_effects")
    facts.sessionEffects = values.map((k) => sessionEffect(k as SessionEffect["kind"]));
}

function sessionEffect(kind: SessionEffect["kind"]): SessionEffect {
  switch (kind) {
    case "use":
      return { kind, schema: "db" };
    case "set_variable":
      return { kind, name: "sql_mode", scope: "session", valueText: "''", literal: true };
    case "set_names":
      return { kind, charset: "utf8mb4", collation: null };
    case "set_charset":
      return { kind, charset: "utf8mb4" };
    case "set_autocommit":
      return { kind, value: false };
    case "set_transaction":
      return { kind, scope: "next", readOnly: null, isolation: null };
    case "user_variable":
      return { kind, name: "x", how: "set", valueText: "1", literal: true };
    case "create_temporary_table":
      return { kind, table: { schema: null, name: "tmp" } };
    case "drop_table":
      return { kind, tables: [{ schema: null, name: "tmp" }], temporaryOnly: true };
    case "prepare":
    case "deallocate":
      return { kind, name: "stmt" };
    case "lock_tables":
    case "unlock_tables":
    case "get_lock":
      return { kind };
    case "release_lock":
      return { kind, all: false };
  }
}

export type { ClassValue };
