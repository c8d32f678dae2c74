import type {
  Facts,
  Hint,
  LockingMode,
  Producer,
  SameConnectionNeed,
  SessionEffect,
  StatementFamily,
  StatementKind,
  TableRef,
  TransactionEffect,
} from "./facts.js";
import { KIND_INFO } from "./kind-info.js";

/** The mutable facts of one statement while its recognisers run; `build` freezes them. */
export class FactsBuilder {
  kind: StatementKind = "unknown";
  family: StatementFamily = "other";
  writes = true;
  locking: LockingMode = "none";
  lockWait: Facts["lockWait"] = "wait";
  transaction: TransactionEffect | null = null;
  implicitCommit = false;
  readonly sessionEffects: SessionEffect[] = [];
  readonly sameConnection: SameConnectionNeed[] = [];
  readonly produces: Producer[] = [];
  readonly tables: TableRef[] = [];
  readonly writeTables: TableRef[] = [];
  readonly functions: string[] = [];
  readonly systemVariables: string[] = [];
  userVariables: string[] = [];
  readonly hints: Hint[] = [];
  parse: Facts["parse"] = "ok";
  preparedSql: string | null = null;

  /** Set the kind and the defaults it implies (family, writes, implicit commit). */
  setKind(kind: StatementKind): void {
    const info = KIND_INFO[kind];
    this.kind = kind;
    this.family = info.family;
    this.writes = info.writes;
    this.implicitCommit = info.implicitCommit;
  }

  addTable(ref: TableRef, written = false): void {
    if (!hasTable(this.tables, ref)) this.tables.push(ref);
    if (written && !hasTable(this.writeTables, ref)) this.writeTables.push(ref);
  }

  need(n: SameConnectionNeed): void {
    if (!this.sameConnection.includes(n)) this.sameConnection.push(n);
  }

  produce(p: Producer): void {
    if (!this.produces.includes(p)) this.produces.push(p);
  }

  addFunction(name: string): void {
    if (!this.functions.includes(name)) this.functions.push(name);
  }

  addSystemVariable(name: string): void {
    if (!this.systemVariables.includes(name)) this.systemVariables.push(name);
  }

  /** Lower the confidence: `ok` → `partial` (never raises `unknown`). */
  guessed(): void {
    if (this.parse === "ok") this.parse = "partial";
  }

  build(digest: string, fingerprint: string): Facts {
    return {
      kind: this.kind,
      family: this.family,
      writes: this.writes,
      locking: this.locking,
      lockWait: this.lockWait,
      transaction: this.transaction,
      implicitCommit: this.implicitCommit,
      sessionEffects: this.sessionEffects,
      sameConnection: this.sameConnection,
      produces: this.produces,
      tables: this.tables,
      writeTables: this.writeTables,
      functions: this.functions,
      systemVariables: this.systemVariables,
      userVariables: this.userVariables,
      hints: this.hints,
      digest,
      fingerprint,
      parse: this.parse,
      statementCount: 1,
      preparedSql: this.preparedSql,
    };
  }
}

function hasTable(list: readonly TableRef[], ref: TableRef): boolean {
  for (const t of list) if (t.name === ref.name && t.schema === ref.schema) return true;
  return false;
}
