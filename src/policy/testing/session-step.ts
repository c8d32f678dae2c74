/**
 * A small model of how one statement changes the session, so policy tests can say "after
 * BEGIN" or "after CREATE TEMPORARY TABLE t" instead of spelling session facts out.
 * (The proxy's own session reducer lives with routing; this one only serves `sluice test`.)
 */
import type { Facts } from "../../classifier/facts.js";
import type { Decision } from "../compile/decide.js";
import { actionTarget } from "../ir.js";
import type { SessionFacts } from "../session-facts.js";

export function stepSession(session: SessionFacts, facts: Facts, decision: Decision): SessionFacts {
  let { inTransaction, readOnlyTransaction, autocommit, schema, pinned, previousPool } = session;
  let temporaryTables = [...session.temporaryTables];
  if (facts.implicitCommit) {
    inTransaction = false;
    readOnlyTransaction = false;
  }
  const t = facts.transaction;
  if (t?.kind === "begin" || (t?.kind === "xa" && t.action === "start")) {
    inTransaction = true;
    readOnlyTransaction = t.kind === "begin" && t.readOnly === true;
  } else if ((t?.kind === "commit" || t?.kind === "rollback") && !t.chain) {
    inTransaction = false;
    readOnlyTransaction = false;
  } else if (!autocommit && t === null) inTransaction = true;
  for (const e of facts.sessionEffects) {
    if (e.kind === "use") schema = e.schema;
    else if (e.kind === "set_autocommit" && e.value !== null) autocommit = e.value;
    else if (e.kind === "create_temporary_table") temporaryTables.push(e.table.name.toLowerCase());
    else if (e.kind === "drop_table") {
      const dropped = new Set(e.tables.map((x) => x.name.toLowerCase()));
      temporaryTables = temporaryTables.filter((x) => !dropped.has(x));
    } else if (e.kind === "get_lock" || e.kind === "lock_tables") pinned = true;
    else if (e.kind === "unlock_tables" || (e.kind === "release_lock" && e.all)) pinned = false;
  }
  const target = actionTarget(decision.action);
  if (target?.kind === "pool") previousPool = target.pool;
  return {
    ...session,
    inTransaction,
    readOnlyTransaction,
    autocommit,
    schema,
    pinned,
    previousPool,
    temporaryTables,
  };
}
