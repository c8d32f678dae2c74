import { namesAssignment, type SyncState, samePrepared } from "./sync-state.js";

/** One step to run on a backend connection before the client's statement. */
export type SyncStep =
  | { readonly kind: "init_db"; readonly schema: string }
  /**
   * "prepare": the PREPARE an `EXECUTE name` needs: its failure is that EXECUTE's own error (one
   * server re-prepares a statement whose tables changed and fails the EXECUTE the same way)
   */
  | { readonly kind: "query"; readonly sql: string; readonly reason: "set" | "replay" | "prepare" };

/** A statement's use of an SQL-level prepared statement the session defined from known text. */
export interface PreparedUse {
  /** lower-case, as SyncState.prepared keys it */
  readonly name: string;
  /** execute: it must be there as prepared; deallocate: a statement of that name must exist */
  readonly use: "execute" | "deallocate";
}

const EXECUTE_PART = /^EXECUTE\s+(?!IMMEDIATE\b)(`(?:[^`]|``)+`|[^\s`;]+)/i;
const DEALLOCATE_PART = /^(?:DEALLOCATE|DROP)\s+PREPARE\s+(`(?:[^`]|``)+`|[^\s`;]+)/i;

/**
 * The session's prepared statements a statement uses, from its digest (literal-free, so a name in a
 * string never counts; a multi-statement's parts are joined with "; "). Nothing when the session
 * has none, so the common statement pays one size check.
 */
export function preparedUses(wanted: SyncState, digest: string): PreparedUse[] {
  if (wanted.prepared.size === 0) return [];
  const uses: PreparedUse[] = [];
  for (const part of digest.split("; ")) {
    const execute = EXECUTE_PART.exec(part);
    const match = execute ?? DEALLOCATE_PART.exec(part);
    const raw = match?.[1];
    if (raw === undefined) continue;
    const name = (raw.startsWith("`") ? raw.slice(1, -1).replace(/``/g, "`") : raw).toLowerCase();
    if (!wanted.prepared.has(name) || uses.some((u) => u.name === name)) continue;
    uses.push({ name, use: execute !== null ? "execute" : "deallocate" });
  }
  return uses;
}

/**
 * The steps that bring a backend connection from `have` to `wanted`, and nothing when they agree
 * (the common case costs no round trip). At most one USE (COM_INIT_DB) and one combined SET, then
 * the verbatim statements the connection has not seen yet, then the PREPAREs the statement about
 * to run uses (`uses`) and the connection lacks. PREPAREs are never replayed ahead of need: an old
 * one may fail now (its table dropped, the session READ ONLY), which one server would only report
 * at its EXECUTE. `have.prepared` must be what the connection really prepared (see
 * connectionAfterSync / connectionAfterStatement).
 */
export function syncPlan(wanted: SyncState, have: SyncState, uses: readonly PreparedUse[] = []): SyncStep[] {
  const steps: SyncStep[] = [];
  if (wanted.schema !== null && wanted.schema !== have.schema) {
    steps.push({ kind: "init_db", schema: wanted.schema });
  }
  const assignments: string[] = [];
  if (wanted.names !== null && !sameNames(wanted.names, have.names))
    assignments.push(namesAssignment(wanted.names));
  for (const [name, value] of wanted.variables) {
    if (have.variables.get(name) !== value) assignments.push(`@@session.${name} = ${value}`);
  }
  for (const name of have.variables.keys()) {
    if (!wanted.variables.has(name)) assignments.push(`@@session.${name} = DEFAULT`);
  }
  for (const [name, value] of wanted.userVariables) {
    if (have.userVariables.get(name) !== value) assignments.push(`@${name} = ${value}`);
  }
  for (const name of have.userVariables.keys()) {
    // An unset user variable reads as NULL, so NULL is the faithful "unset".
    if (!wanted.userVariables.has(name)) assignments.push(`@${name} = NULL`);
  }
  if (assignments.length > 0)
    steps.push({ kind: "query", sql: `SET ${assignments.join(", ")}`, reason: "set" });
  for (const sql of replaySuffix(wanted.replay, have.replay))
    steps.push({ kind: "query", sql, reason: "replay" });
  for (const { name, use } of uses) {
    const def = wanted.prepared.get(name);
    if (def === undefined || samePrepared(have.prepared.get(name), def)) continue;
    if (use === "deallocate") {
      // DEALLOCATE only needs a statement of that name to exist: one that cannot fail will do
      if (!have.prepared.has(name))
        steps.push({
          kind: "query",
          sql: `PREPARE \`${name.replace(/`/g, "``")}\` FROM 'DO 0'`,
          reason: "prepare",
        });
      continue;
    }
    // prepared in another database: its unqualified tables are that database's, so it is prepared
    // there and the session's database selected again (no database at all cannot be selected back)
    const away = def.schema !== null && wanted.schema !== null && def.schema !== wanted.schema;
    if (away) steps.push({ kind: "init_db", schema: def.schema });
    steps.push({ kind: "query", sql: def.sql, reason: "prepare" });
    if (away) steps.push({ kind: "init_db", schema: wanted.schema });
  }
  return steps;
}

/** What the connection must still replay: all of `wanted` unless `have` is a prefix of it. */
function replaySuffix(wanted: readonly string[], have: readonly string[]): readonly string[] {
  if (have.length > wanted.length) return wanted;
  for (let i = 0; i < have.length; i++) if (have[i] !== wanted[i]) return wanted;
  return wanted.slice(have.length);
}

function sameNames(a: SyncState["names"], b: SyncState["names"]): boolean {
  return a !== null && b !== null && a.charset === b.charset && a.collation === b.collation;
}
