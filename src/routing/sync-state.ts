import type { SessionEffect } from "../classifier/facts.js";

/**
 * The part of a session's state that must be the same on every backend connection it uses:
 * default database, character set, session variables, user variables, and statements Sluice
 * replays verbatim because it does not understand them well enough to diff.
 *
 * How state is kept on multiplexed pool connections: a connection returned to the pool is reset
 * (COM_RESET_CONNECTION) so it starts from the server's defaults; a session that takes it is
 * brought to its own state by a *diff* of the known parts (one USE, one combined SET) plus a
 * *replay* of the verbatim part. Diffing beats history replay (MaxScale's 50-command history) in
 * round trips and never truncates; replay of the rest means an unknown SET never locks a session
 * to one server (ProxySQL's error 9006).
 */
export interface SyncState {
  readonly schema: string | null;
  readonly names: { readonly charset: string; readonly collation: string | null } | null;
  /** session variable → SQL text of its literal value */
  readonly variables: ReadonlyMap<string, string>;
  /** user variable (without @) → SQL text of its literal value */
  readonly userVariables: ReadonlyMap<string, string>;
  /** statements replayed verbatim, oldest first */
  readonly replay: readonly string[];
  /** SQL-level prepared statements: name → the PREPARE statement that defines it */
  readonly prepared: ReadonlyMap<string, string>;
}

export const EMPTY_SYNC_STATE: SyncState = {
  schema: null,
  names: null,
  variables: new Map(),
  userVariables: new Map(),
  replay: [],
  prepared: new Map(),
};

/** Variables SET NAMES overrides, so a later SET NAMES must drop what we knew of them. */
const NAMES_VARIABLES = [
  "character_set_client",
  "character_set_results",
  "character_set_connection",
  "collation_connection",
];

const SAFE_NAME = /^[A-Za-z0-9_$.]+$/;

/** Folds one statement's session effects into the state. `sql` is kept for verbatim replay. */
export function applySessionEffects(
  state: SyncState,
  effects: readonly SessionEffect[],
  sql: string,
  preparedSql: string | null = null,
): SyncState {
  if (effects.length === 0) return state;
  const prepare = effects.find((e) => e.kind === "prepare" || e.kind === "deallocate");
  if (prepare !== undefined && (prepare.kind === "prepare" || prepare.kind === "deallocate")) {
    const prepared = new Map(state.prepared);
    const name = prepare.name.toLowerCase();
    // PREPARE from known text is replayed where the session goes; from a variable it pins instead
    if (prepare.kind === "prepare" && preparedSql !== null) prepared.set(name, sql);
    else prepared.delete(name);
    return { ...state, prepared };
  }
  // A statement that sets anything we cannot diff is replayed whole, and nothing of it is diffed:
  // replaying it reproduces all of its effects in order.
  if (effects.some(needsReplay)) return { ...state, replay: [...state.replay, sql] };
  let next = state;
  for (const effect of effects) next = applyOne(next, effect);
  return next;
}

function needsReplay(effect: SessionEffect): boolean {
  switch (effect.kind) {
    case "set_variable":
      return effect.scope === "session" && (!effect.literal || !SAFE_NAME.test(effect.name));
    case "user_variable":
      return (
        effect.how === "set" && (!effect.literal || effect.valueText === null || !SAFE_NAME.test(effect.name))
      );
    case "set_charset":
      return true;
    case "set_transaction":
      return effect.scope === "session";
    default:
      return false;
  }
}

function applyOne(state: SyncState, effect: SessionEffect): SyncState {
  switch (effect.kind) {
    case "use":
      return { ...state, schema: effect.schema };
    case "set_names": {
      const variables = new Map(state.variables);
      for (const name of NAMES_VARIABLES) variables.delete(name);
      return { ...state, names: { charset: effect.charset, collation: effect.collation }, variables };
    }
    case "set_autocommit":
      if (effect.value === null) return state;
      return withVariable(state, "autocommit", effect.value ? "1" : "0");
    case "set_variable":
      if (effect.scope !== "session") return state;
      return withVariable(state, effect.name, effect.valueText);
    case "user_variable": {
      if (effect.how !== "set" || effect.valueText === null) return state;
      const userVariables = new Map(state.userVariables);
      userVariables.set(effect.name, effect.valueText);
      return { ...state, userVariables };
    }
    default:
      return state;
  }
}

function withVariable(state: SyncState, name: string, valueText: string): SyncState {
  const variables = new Map(state.variables);
  if (/^default$/i.test(valueText.trim())) variables.delete(name);
  else variables.set(name, valueText);
  return { ...state, variables };
}

/**
 * Folds in session variables the server reported a statement set where the classifier could not
 * see (a stored procedure, an EXECUTE): as literals, so the session's other backend connections
 * get the same values. When verbatim replays exist they run after the combined SET, so the
 * reported values are appended as one more replay instead (the later value must win).
 */
export function applyReportedVariables(
  state: SyncState,
  reported: readonly (readonly [string, string])[],
): SyncState {
  const safe = reported.filter(([name]) => SAFE_NAME.test(name));
  if (safe.length === 0) return state;
  if (state.replay.length > 0) {
    const sql = `SET ${safe.map(([name, value]) => `@@session.${name} = ${reportedLiteral(value)}`).join(", ")}`;
    return { ...state, replay: [...state.replay, sql] };
  }
  let next = state;
  for (const [name, value] of safe) next = withVariable(next, name, reportedLiteral(value));
  return next;
}

/** The server prints numbers bare and everything else as text; numeric variables refuse quoted values. */
function reportedLiteral(value: string): string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}
