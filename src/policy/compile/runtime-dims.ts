/**
 * Turns serialisable dimension data into classifier functions: input → class index. Built once
 * per bundle load (regexes compiled, maps filled); calling them allocates nothing.
 */
import type { DimData } from "../domain/dimensions.js";
import type { DecisionInput } from "../input.js";
import type { Pred } from "../ir.js";
import { patternRegExp, tableLiteral, tablePattern } from "../pattern.js";

export type ClassOf = (input: DecisionInput) => number;

function boolAccessor(dim: string): (input: DecisionInput) => boolean {
  switch (dim) {
    case "writes":
      return (i) => i.facts.writes;
    case "implicit_commit":
      return (i) => i.facts.implicitCommit;
    case "in_transaction":
      return (i) => i.session.inTransaction;
    case "read_only_transaction":
      return (i) => i.session.readOnlyTransaction;
    case "autocommit":
      return (i) => i.session.autocommit;
    case "pinned":
      return (i) => i.session.pinned;
    case "temporary_table":
      return (i) => {
        const temps = i.session.temporaryTables;
        if (temps.length === 0) return false;
        for (const t of i.facts.tables) {
          for (const name of temps) {
            // compare case-insensitively without building strings when lengths differ
            if (name.length === t.name.length && name === t.name.toLowerCase()) return true;
          }
        }
        return false;
      };
    default:
      throw new Error(`not a boolean fact: ${dim}`);
  }
}

function enumAccessor(dim: string): (input: DecisionInput) => string {
  switch (dim) {
    case "kind":
      return (i) => i.facts.kind;
    case "family":
      return (i) => i.facts.family;
    case "locking":
      return (i) => i.facts.locking;
    case "lock_wait":
      return (i) => i.facts.lockWait;
    case "transaction":
      return (i) => i.facts.transaction?.kind ?? "none";
    case "parse":
      return (i) => i.facts.parse;
    default:
      throw new Error(`not an enum fact: ${dim}`);
  }
}

function stringAccessor(dim: string): (input: DecisionInput) => string | null {
  if (dim.startsWith("hint.")) {
    const key = dim.slice(5);
    return (i) => {
      for (const h of i.facts.hints) if (h.key === key) return h.value;
      return null;
    };
  }
  switch (dim) {
    case "user":
      return (i) => i.session.user;
    case "client_address":
      return (i) => i.session.clientAddress;
    case "schema":
      return (i) => i.session.schema;
    case "previous_pool":
      return (i) => i.session.previousPool;
    case "digest":
      return (i) => i.facts.digest;
    case "fingerprint":
      return (i) => i.facts.fingerprint;
    default:
      throw new Error(`not a string fact: ${dim}`);
  }
}

/** Class -1 means "not a class the compiler enumerated"; decide() then falls back to a scan. */
export function classOf(data: DimData): ClassOf {
  switch (data.kind) {
    case "bool": {
      const get = boolAccessor(data.dim);
      return (i) => (get(i) ? 1 : 0);
    }
    case "enum": {
      const get = enumAccessor(data.dim);
      const map = new Map(data.values.map((v, idx) => [v, idx]));
      const other = data.otherClass;
      return (i) => map.get(get(i)) ?? other;
    }
    case "string": {
      const get = stringAccessor(data.dim);
      const base = data.optional ? 1 : 0;
      const map = new Map(data.literals.map((v, idx) => [v, base + idx]));
      const otherBase = base + data.literals.length;
      const regexes = data.patterns.map(patternRegExp);
      return (i) => {
        const v = get(i);
        if (v === null) return data.optional ? 0 : -1;
        const lit = map.get(v);
        if (lit !== undefined) return lit;
        let bits = 0;
        for (let j = 0; j < regexes.length; j++) if (regexes[j]!.test(v)) bits |= 1 << j;
        return otherBase + bits;
      };
    }
    case "set":
      return setClassOf(data);
    case "set-pred":
      return setPredClassOf(data.dim, data.pred);
  }
}

function setClassOf(data: Extract<DimData, { kind: "set" }>): ClassOf {
  const vectorToClass = new Map(data.classVectors.map((v, idx) => [v, idx]));
  let nonempty = 0;
  const hasBits = new Map<string, number>();
  data.preds.forEach((p, j) => {
    const bit = 1 << j;
    if (p.kind === "set-nonempty") nonempty |= bit;
    else if (p.kind === "set-has") for (const v of p.values) hasBits.set(v, (hasBits.get(v) ?? 0) | bit);
  });
  const word = (v: string): number => nonempty | (hasBits.get(v) ?? 0);
  const finish = (bits: number): number => vectorToClass.get(bits) ?? -1;
  switch (data.dim) {
    case "same_connection":
      return (i) => {
        let bits = 0;
        for (const v of i.facts.sameConnection) bits |= word(v);
        return finish(bits);
      };
    case "produces":
      return (i) => {
        let bits = 0;
        for (const v of i.facts.produces) bits |= word(v);
        return finish(bits);
      };
    case "session_effects":
      return (i) => {
        let bits = 0;
        for (const e of i.facts.sessionEffects) bits |= word(e.kind);
        return finish(bits);
      };
    default:
      throw new Error(`not a set fact: ${data.dim}`);
  }
}

/** One test on a string set: 1 when some element passes it. Literals and regexes prepared once. */
function setPredClassOf(dim: string, pred: Pred): ClassOf {
  const words = (i: DecisionInput): readonly string[] =>
    dim === "functions" ? i.facts.functions : i.facts.systemVariables;
  if (dim === "tables" || dim === "write_tables") {
    const writes = dim === "write_tables";
    const test = tableTest(pred);
    return (i) => {
      const schema = i.session.schema;
      for (const t of writes ? i.facts.writeTables : i.facts.tables)
        if (test(t.schema ?? schema, t.name)) return 1;
      return 0;
    };
  }
  const test = wordTest(pred);
  return (i) => {
    for (const v of words(i)) if (test(v)) return 1;
    return 0;
  };
}

function wordTest(pred: Pred): (v: string) => boolean {
  if (pred.kind === "set-has") {
    const values = new Set(pred.values);
    return (v) => values.has(v);
  }
  if (pred.kind === "set-match") {
    const re = patternRegExp(pred.pattern);
    return (v) => re.test(v);
  }
  return () => true;
}

function tableTest(pred: Pred): (schema: string | null, name: string) => boolean {
  if (pred.kind === "set-has") {
    const lits = pred.values.map(tableLiteral);
    return (schema, name) => {
      for (const l of lits) if (l.name === name && (l.schema === null || l.schema === schema)) return true;
      return false;
    };
  }
  if (pred.kind === "set-match") {
    const tp = tablePattern(pred.pattern);
    return (schema, name) =>
      tp.name.test(name) && (tp.schema === null || (schema !== null && tp.schema.test(schema)));
  }
  return () => true;
}
