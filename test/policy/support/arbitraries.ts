/** fast-check generators for random conditions, rule lists and decision inputs over a small vocabulary. */
import fc from "fast-check";
import type { Facts, SameConnectionNeed, StatementKind, TableRef } from "../../../src/classifier/facts.js";
import { BASE_FACTS, BASE_SESSION } from "../../../src/policy/domain/base-input.js";
import type { DecisionInput } from "../../../src/policy/input.js";
import type { Action, CheckedRule, Cond, Pred } from "../../../src/policy/ir.js";

export const KINDS: StatementKind[] = ["select", "insert", "update", "begin", "set", "show_tables"];
const NEEDS: SameConnectionNeed[] = ["found_rows", "last_insert_id", "warnings"];
const USERS = ["app", "report", "admin", "report_2"];
const TABLES = ["orders", "shop.orders", "users", "tenant_a.items"];

const span = { file: "gen.policy", start: 0, end: 1, line: 1, column: 1, endLine: 1, endColumn: 2 };

export interface Vocabulary {
  readonly strings: boolean;
}

export function predArb(vocab: Vocabulary): fc.Arbitrary<Pred> {
  const finite: fc.Arbitrary<Pred>[] = [
    fc
      .constantFrom("writes", "in_transaction", "read_only_transaction", "temporary_table")
      .map((dim) => ({ kind: "bool" as const, dim })),
    fc
      .subarray(KINDS, { minLength: 1, maxLength: 3 })
      .map((values) => ({ kind: "enum-in" as const, dim: "kind", values })),
    fc
      .subarray(["none", "for_update", "for_share"], { minLength: 1, maxLength: 2 })
      .map((values) => ({ kind: "enum-in" as const, dim: "locking", values })),
    fc
      .subarray(NEEDS, { minLength: 1, maxLength: 2 })
      .map((values) => ({ kind: "set-has" as const, dim: "same_connection", values })),
    fc.constant({ kind: "set-nonempty" as const, dim: "same_connection" }),
  ];
  if (!vocab.strings) return fc.oneof(...finite);
  const strings: fc.Arbitrary<Pred>[] = [
    fc
      .subarray(USERS, { minLength: 1, maxLength: 2 })
      .map((values) => ({ kind: "str-in" as const, dim: "user", values })),
    fc
      .constantFrom("report*", "a*")
      .map((glob) => ({ kind: "str-match" as const, dim: "user", pattern: { kind: "glob" as const, glob } })),
    fc.constant({ kind: "str-present" as const, dim: "hint.route" }),
    fc
      .constantFrom("primary", "replica")
      .map((v) => ({ kind: "str-in" as const, dim: "hint.route", values: [v] })),
    fc
      .subarray(TABLES, { minLength: 1, maxLength: 2 })
      .map((values) => ({ kind: "set-has" as const, dim: "tables", values })),
    fc.constantFrom("tenant_*.*", "ord*").map((glob) => ({
      kind: "set-match" as const,
      dim: "tables",
      pattern: { kind: "glob" as const, glob },
    })),
  ];
  return fc.oneof(...finite, ...strings);
}

export function condArb(vocab: Vocabulary): fc.Arbitrary<Cond> {
  const { cond } = fc.letrec<{ cond: Cond }>((tie) => ({
    cond: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      predArb(vocab).map((pred): Cond => ({ kind: "pred", pred })),
      tie("cond").map((arg): Cond => ({ kind: "not", arg })),
      fc.array(tie("cond"), { minLength: 2, maxLength: 3 }).map((args): Cond => ({ kind: "and", args })),
      fc.array(tie("cond"), { minLength: 2, maxLength: 3 }).map((args): Cond => ({ kind: "or", args })),
    ),
  }));
  return cond;
}

const POOLS = ["primary", "replicas"];
export const actionArb: fc.Arbitrary<Action> = fc.constantFrom(...POOLS).map((pool) => ({
  kind: "route",
  target: { kind: "pool", pool },
  tags: [],
  log: null,
}));

export function rulesArb(vocab: Vocabulary, maxRules = 8): fc.Arbitrary<CheckedRule[]> {
  return fc
    .array(fc.tuple(condArb(vocab), actionArb), { minLength: 0, maxLength: maxRules })
    .map((list) =>
      list.map(([condition, action], index) => ({ name: `r${index}`, index, condition, action, span })),
    );
}

const tableRef: fc.Arbitrary<TableRef> = fc.record({
  schema: fc.constantFrom(null, "shop", "tenant_a", "other"),
  name: fc.constantFrom("orders", "users", "items", "misc"),
});

export const inputArb: fc.Arbitrary<DecisionInput> = fc
  .record({
    kind: fc.constantFrom(...KINDS, "delete" as StatementKind),
    writes: fc.boolean(),
    locking: fc.constantFrom("none", "for_update", "for_share", "lock_in_share_mode") as fc.Arbitrary<
      Facts["locking"]
    >,
    sameConnection: fc.subarray([...NEEDS, "row_count" as SameConnectionNeed]),
    tables: fc.array(tableRef, { maxLength: 3 }),
    hint: fc.constantFrom(null, "primary", "replica", "other"),
    inTransaction: fc.boolean(),
    readOnlyTransaction: fc.boolean(),
    user: fc.constantFrom(...USERS, "apex", "zed"),
    schema: fc.constantFrom(null, "shop", "tenant_a"),
    temps: fc.subarray(["orders", "items", "zzz"]),
  })
  .map((r) => ({
    facts: {
      ...BASE_FACTS,
      kind: r.kind,
      writes: r.writes,
      locking: r.locking,
      sameConnection: r.sameConnection,
      tables: r.tables,
      hints: r.hint === null ? [] : [{ key: "route", value: r.hint }],
    },
    session: {
      ...BASE_SESSION,
      inTransaction: r.inTransaction,
      readOnlyTransaction: r.readOnlyTransaction,
      user: r.user,
      schema: r.schema,
      temporaryTables: r.temps,
    },
  }));
