import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Facts } from "../../src/classifier/facts.js";
import {
  initialSessionState,
  nextSessionState,
  pinReasons,
  type SessionState,
  sessionFacts,
  withPreviousPool,
  withSchema,
} from "../../src/routing/session-state.js";
import { begin, commit, ddl, facts, rollback, setAutocommit, use, write } from "../dry-run/support/facts.js";

const start = initialSessionState({ user: "app", clientAddress: "10.0.0.1", schema: "shop" });
const run = (...statements: Facts[]): SessionState => statements.reduce(nextSessionState, start);

describe("session state reducer", () => {
  it("starts outside a transaction, autocommit on, with the connect's user and schema", () => {
    expect(sessionFacts(start)).toEqual({
      inTransaction: false,
      readOnlyTransaction: false,
      autocommit: true,
      user: "app",
      clientAddress: "10.0.0.1",
      schema: "shop",
      temporaryTables: [],
      pinned: false,
      previousPool: null,
    });
  });

  it("tracks BEGIN … COMMIT and ROLLBACK, and COMMIT AND CHAIN keeps a transaction open", () => {
    expect(run(begin()).inTransaction).toBe(true);
    expect(run(begin(), write()).inTransaction).toBe(true);
    expect(run(begin(), write(), commit()).inTransaction).toBe(false);
    expect(run(begin(), rollback()).inTransaction).toBe(false);
    expect(run(begin(), commit(true)).inTransaction).toBe(true);
  });

  it("reports a READ ONLY transaction only while it is open", () => {
    expect(sessionFacts(run(begin(true))).readOnlyTransaction).toBe(true);
    expect(sessionFacts(run(begin(true), commit())).readOnlyTransaction).toBe(false);
    expect(sessionFacts(run(begin(false))).readOnlyTransaction).toBe(false);
  });

  it("SET TRANSACTION READ ONLY applies to the next transaction only", () => {
    const setNext = facts({
      kind: "set_transaction",
      family: "session",
      tables: [],
      sessionEffects: [{ kind: "set_transaction", scope: "next", readOnly: true, isolation: null }],
    });
    expect(sessionFacts(run(setNext, begin())).readOnlyTransaction).toBe(true);
    expect(sessionFacts(run(setNext, begin(), commit(), begin())).readOnlyTransaction).toBe(false);
  });

  it("autocommit=0 opens a transaction at the first statement on a table; COMMIT ends it; the next opens another", () => {
    const off = run(setAutocommit(false));
    expect(off.autocommit).toBe(false);
    expect(off.inTransaction).toBe(false);
    expect(run(setAutocommit(false), facts()).inTransaction).toBe(true);
    expect(run(setAutocommit(false), facts(), commit()).inTransaction).toBe(false);
    expect(run(setAutocommit(false), facts(), commit(), write()).inTransaction).toBe(true);
    // a statement without tables (SELECT 1) does not open one
    expect(run(setAutocommit(false), facts({ tables: [] })).inTransaction).toBe(false);
  });

  it("DDL commits implicitly and does not itself open a transaction under autocommit=0", () => {
    expect(run(begin(), write(), ddl()).inTransaction).toBe(false);
    expect(run(setAutocommit(false), write(), ddl()).inTransaction).toBe(false);
  });

  it("SET autocommit=1 commits the open transaction", () => {
    const s = run(setAutocommit(false), write(), setAutocommit(true));
    expect(s.inTransaction).toBe(false);
    expect(s.autocommit).toBe(true);
  });

  it("follows USE and init db", () => {
    expect(run(use("other")).schema).toBe("other");
    expect(withSchema(start, null).schema).toBeNull();
  });

  it("tracks temporary tables case-insensitively and pins the session while one exists", () => {
    const create = facts({
      kind: "create_table",
      family: "ddl",
      writes: true,
      sessionEffects: [{ kind: "create_temporary_table", table: { schema: null, name: "Tmp" } }],
    });
    const drop = facts({
      kind: "drop_table",
      family: "ddl",
      writes: true,
      sessionEffects: [{ kind: "drop_table", tables: [{ schema: null, name: "TMP" }], temporaryOnly: true }],
    });
    expect(sessionFacts(run(create)).temporaryTables).toEqual(["tmp"]);
    expect(sessionFacts(run(create)).pinned).toBe(true);
    expect(pinReasons(run(create))).toEqual(["temporary_table"]);
    expect(sessionFacts(run(create, drop))).toMatchObject({ temporaryTables: [], pinned: false });
  });

  it("pins on LOCK TABLES, named locks and SQL prepared statements until released", () => {
    const lock = facts({
      kind: "lock_tables",
      family: "transaction",
      sessionEffects: [{ kind: "lock_tables" }],
    });
    const unlock = facts({
      kind: "unlock_tables",
      family: "transaction",
      sessionEffects: [{ kind: "unlock_tables" }],
    });
    const getLock = facts({
      kind: "select",
      tables: [],
      writes: true,
      sessionEffects: [{ kind: "get_lock" }],
    });
    const releaseAll = facts({
      tables: [],
      writes: true,
      sessionEffects: [{ kind: "release_lock", all: true }],
    });
    const prepare = facts({
      kind: "prepare",
      family: "prepared",
      sessionEffects: [{ kind: "prepare", name: "S1" }],
    });
    const deallocate = facts({
      kind: "deallocate",
      family: "prepared",
      sessionEffects: [{ kind: "deallocate", name: "s1" }],
    });
    expect(pinReasons(run(lock))).toEqual(["lock_tables"]);
    expect(pinReasons(run(lock, unlock))).toEqual([]);
    expect(pinReasons(run(getLock, getLock))).toEqual(["named_lock"]);
    expect(pinReasons(run(getLock, getLock, releaseAll))).toEqual([]);
    expect(pinReasons(run(prepare))).toEqual(["prepared_statement"]);
    expect(pinReasons(run(prepare, deallocate))).toEqual([]);
    expect(pinReasons(run(lock, begin()))).toEqual([]); // START TRANSACTION releases table locks
  });

  it("passes the previous pool through to the policy's session facts", () => {
    expect(sessionFacts(withPreviousPool(start, "replicas")).previousPool).toBe("replicas");
  });

  it("never reports a read-only transaction outside a transaction, nor a temporary table twice", () => {
    const statement = fc.constantFrom(
      begin(),
      begin(true),
      commit(),
      commit(true),
      rollback(),
      write(),
      ddl(),
      facts(),
      setAutocommit(false),
      setAutocommit(true),
      facts({
        kind: "create_table",
        family: "ddl",
        writes: true,
        sessionEffects: [{ kind: "create_temporary_table", table: { schema: null, name: "x" } }],
      }),
    );
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 30 }), (list) => {
        const f = sessionFacts(run(...list));
        if (f.readOnlyTransaction) expect(f.inTransaction).toBe(true);
        expect(new Set(f.temporaryTables).size).toBe(f.temporaryTables.length);
        // a transaction is open after autocommit=0 plus a write, whatever came before
        expect(run(...list, setAutocommit(false), write()).inTransaction).toBe(true);
      }),
    );
  });
});
