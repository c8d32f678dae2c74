/**
 * What a decision is made on: the statement's facts and the session's. Field access by fact
 * name for the reference evaluator (clear rather than fast; the decision tree has its own
 * allocation-free accessors in compile/runtime-dims.ts).
 */
import type { Facts, TableRef } from "../classifier/facts.js";
import type { SessionFacts } from "./session-facts.js";

export interface DecisionInput {
  readonly facts: Facts;
  readonly session: SessionFacts;
}

export function boolFact(input: DecisionInput, dim: string): boolean {
  const { facts, session } = input;
  switch (dim) {
    case "writes":
      return facts.writes;
    case "implicit_commit":
      return facts.implicitCommit;
    case "in_transaction":
      return session.inTransaction;
    case "read_only_transaction":
      return session.readOnlyTransaction;
    case "autocommit":
      return session.autocommit;
    case "pinned":
      return session.pinned;
    case "temporary_table":
      return facts.tables.some((t) => session.temporaryTables.includes(t.name.toLowerCase()));
    default:
      throw new Error(`not a boolean fact: ${dim}`);
  }
}

export function enumFact(input: DecisionInput, dim: string): string {
  const { facts } = input;
  switch (dim) {
    case "kind":
      return facts.kind;
    case "family":
      return facts.family;
    case "locking":
      return facts.locking;
    case "lock_wait":
      return facts.lockWait;
    case "transaction":
      return facts.transaction?.kind ?? "none";
    case "parse":
      return facts.parse;
    default:
      throw new Error(`not an enum fact: ${dim}`);
  }
}

export function stringFact(input: DecisionInput, dim: string): string | null {
  const { facts, session } = input;
  if (dim.startsWith("hint.")) {
    const key = dim.slice(5);
    return facts.hints.find((h) => h.key === key)?.value ?? null;
  }
  switch (dim) {
    case "user":
      return session.user;
    case "client_address":
      return session.clientAddress;
    case "schema":
      return session.schema;
    case "previous_pool":
      return session.previousPool;
    case "digest":
      return facts.digest;
    case "fingerprint":
      return facts.fingerprint;
    default:
      throw new Error(`not a string fact: ${dim}`);
  }
}

export function wordSetFact(input: DecisionInput, dim: string): readonly string[] {
  const { facts } = input;
  switch (dim) {
    case "session_effects":
      return facts.sessionEffects.map((e) => e.kind);
    case "same_connection":
      return facts.sameConnection;
    case "produces":
      return facts.produces;
    case "functions":
      return facts.functions;
    case "system_variables":
      return facts.systemVariables;
    default:
      throw new Error(`not a set fact: ${dim}`);
  }
}

export function tableSetFact(input: DecisionInput, dim: string): readonly TableRef[] {
  if (dim === "tables") return input.facts.tables;
  if (dim === "write_tables") return input.facts.writeTables;
  throw new Error(`not a table fact: ${dim}`);
}

export const TABLE_DIMS: ReadonlySet<string> = new Set(["tables", "write_tables"]);
