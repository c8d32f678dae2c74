/**
 * What the classifier and the session guarantee, so analyses never report impossible inputs:
 * a READ ONLY transaction is a transaction; a statement the classifier could not understand
 * counts as a write; a statement cannot use a temporary table without naming a table.
 * Kept small on purpose: every invariant here makes lint claim more, so each must be certain.
 */
import type { Cond } from "../ir.js";

const pred = (p: Extract<Cond, { kind: "pred" }>["pred"]): Cond => ({ kind: "pred", pred: p });
const implies = (a: Cond, b: Cond): Cond => ({ kind: "or", args: [{ kind: "not", arg: a }, b] });

export const FEASIBLE: Cond = {
  kind: "and",
  args: [
    implies(
      pred({ kind: "bool", dim: "read_only_transaction" }),
      pred({ kind: "bool", dim: "in_transaction" }),
    ),
    implies(
      pred({ kind: "enum-in", dim: "kind", values: ["unknown"] }),
      pred({ kind: "bool", dim: "writes" }),
    ),
    implies(pred({ kind: "bool", dim: "temporary_table" }), pred({ kind: "set-nonempty", dim: "tables" })),
  ],
};

/** The inputs a replica must never see: writes, locking reads, read-write transactions, same-connection needs. */
export const UNSAFE_FOR_REPLICA: Cond = {
  kind: "or",
  args: [
    pred({ kind: "bool", dim: "writes" }),
    { kind: "not", arg: pred({ kind: "enum-in", dim: "locking", values: ["none"] }) },
    {
      kind: "and",
      args: [
        pred({ kind: "bool", dim: "in_transaction" }),
        { kind: "not", arg: pred({ kind: "bool", dim: "read_only_transaction" }) },
      ],
    },
    pred({ kind: "set-nonempty", dim: "same_connection" }),
  ],
};

/** `route stay` keeps the previous connection, right for same-connection needs and transactions;
 *  but the previous connection may be a replica, so writes and locking reads must not stay. */
export const UNSAFE_FOR_STAY: Cond = {
  kind: "or",
  args: [
    pred({ kind: "bool", dim: "writes" }),
    { kind: "not", arg: pred({ kind: "enum-in", dim: "locking", values: ["none"] }) },
  ],
};
