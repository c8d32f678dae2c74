import type { SyncState } from "./sync-state.js";

/** One step to run on a backend connection before the client's statement. */
export type SyncStep =
  | { readonly kind: "init_db"; readonly schema: string }
  | { readonly kind: "query"; readonly sql: string; readonly reason: "set" | "replay" };

/**
 * The steps that bring a backend connection from `have` to `wanted`, and nothing when they agree
 * (the common case costs no round trip). At most one USE (COM_INIT_DB) and one combined SET, then
 * the verbatim statements the connection has not seen yet.
 */
export function syncPlan(wanted: SyncState, have: SyncState): SyncStep[] {
  const steps: SyncStep[] = [];
  if (wanted.schema !== null && wanted.schema !== have.schema) {
    steps.push({ kind: "init_db", schema: wanted.schema });
  }
  const assignments: string[] = [];
  if (wanted.names !== null && !sameNames(wanted.names, have.names)) {
    const { charset, collation } = wanted.names;
    assignments.push(
      `NAMES ${quoteString(charset)}${collation === null ? "" : ` COLLATE ${quoteString(collation)}`}`,
    );
  }
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
  for (const [name, sql] of wanted.prepared) {
    if (have.prepared.get(name) !== sql) steps.push({ kind: "query", sql, reason: "replay" });
  }
  for (const name of have.prepared.keys()) {
    if (!wanted.prepared.has(name)) {
      steps.push({
        kind: "query",
        sql: `DEALLOCATE PREPARE \`${name.replace(/`/g, "``")}\``,
        reason: "replay",
      });
    }
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

function quoteString(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}
