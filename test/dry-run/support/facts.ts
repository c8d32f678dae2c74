import type { Facts } from "../../../src/classifier/facts.js";
import { BASE_FACTS } from "../../../src/policy/domain/base-input.js";

/**
 * Facts written by hand, for tests of the session reducer and the simulation that must not
 * depend on how the classifier reads a particular statement. Defaults: a plain read of `t`.
 */
export function facts(partial: Partial<Facts> = {}): Facts {
  return {
    ...BASE_FACTS,
    tables: [{ schema: null, name: "t" }],
    digest: "SELECT * FROM t",
    fingerprint: "0000000000000001",
    ...partial,
  };
}

export const begin = (readOnly: boolean | null = null): Facts =>
  facts({
    kind: "begin",
    family: "transaction",
    tables: [],
    transaction: { kind: "begin", readOnly, consistentSnapshot: false },
    digest: "BEGIN",
  });
export const commit = (chain = false): Facts =>
  facts({
    kind: "commit",
    family: "transaction",
    tables: [],
    transaction: { kind: "commit", chain, release: false },
    digest: "COMMIT",
  });
export const rollback = (): Facts =>
  facts({
    kind: "rollback",
    family: "transaction",
    tables: [],
    transaction: { kind: "rollback", chain: false, release: false },
    digest: "ROLLBACK",
  });
export const write = (table = "t"): Facts =>
  facts({
    kind: "update",
    family: "write",
    writes: true,
    tables: [{ schema: null, name: table }],
    writeTables: [{ schema: null, name: table }],
    digest: `UPDATE ${table} SET a = ?`,
  });
export const ddl = (): Facts =>
  facts({
    kind: "create_table",
    family: "ddl",
    writes: true,
    implicitCommit: true,
    digest: "CREATE TABLE t2 (…)",
  });
export const setAutocommit = (value: boolean): Facts =>
  facts({
    kind: "set",
    family: "session",
    tables: [],
    sessionEffects: [{ kind: "set_autocommit", value }],
    digest: "SET autocommit = ?",
  });
export const use = (schema: string): Facts =>
  facts({
    kind: "use",
    family: "session",
    tables: [],
    sessionEffects: [{ kind: "use", schema }],
    digest: "USE ?",
  });
