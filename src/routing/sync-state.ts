import type { SessionEffect } from "../classifier/facts.js";
import type { SessionChange } from "../protocol/session-track.js";

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
  readonly prepared: ReadonlyMap<string, PreparedDefinition>;
}

/**
 * A `PREPARE name FROM '…'` and the default database it ran in: the statement's unqualified tables
 * are that database's for its whole life (the server re-prepares it there too, after a USE).
 */
export interface PreparedDefinition {
  readonly sql: string;
  readonly schema: string | null;
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

/**
 * Folds one statement's session effects into the state. `sql` is kept for verbatim replay;
 * `changes`: what the server's session trackers reported for it (the values it set, as literals).
 */
export function applySessionEffects(
  state: SyncState,
  effects: readonly SessionEffect[],
  sql: string,
  preparedSql: string | null = null,
  changes: readonly SessionChange[] = [],
): SyncState {
  if (effects.length === 0) return state;
  const prepare = effects.find((e) => e.kind === "prepare" || e.kind === "deallocate");
  if (prepare !== undefined && (prepare.kind === "prepare" || prepare.kind === "deallocate")) {
    const prepared = new Map(state.prepared);
    const name = prepare.name.toLowerCase();
    // PREPARE from known text is replayed where the session goes; from a variable it pins instead
    if (prepare.kind === "prepare" && preparedSql !== null) prepared.set(name, { sql, schema: state.schema });
    else prepared.delete(name);
    return { ...state, prepared };
  }
  const reported = reportedValues(changes);
  // A statement that sets anything we can neither diff nor take from the server's report is
  // replayed whole, and nothing of it is diffed: replaying it reproduces its effects in order.
  // A user variable set from a computed value is never replayed (it would be computed anew):
  // held-user-variables.ts keeps reads of it where it was set.
  if (effects.some((e) => needsReplay(e, reported))) {
    const replay = [...state.replay, sql];
    return { ...state, replay, userVariables: withoutComputed(state.userVariables, effects) };
  }
  let next = state;
  for (const effect of effects) {
    // the combined SET runs before the replays: a value a replayed statement may also have set
    // is replayed after it instead, so that the later one wins as it did on the server
    const late = next.replay.length > 0 ? lateAssignment(effect, reported, next.replay) : null;
    next = late === null ? applyOne(next, effect, reported) : { ...next, replay: [...next.replay, late] };
  }
  return next;
}

/** `SET …` restoring the effect's value when a replayed statement may touch the same setting. */
function lateAssignment(
  effect: SessionEffect,
  reported: ReadonlyMap<string, string>,
  replay: readonly string[],
): string | null {
  const mentions = (words: readonly string[]) =>
    replay.some((sql) => words.some((w) => sql.toLowerCase().includes(w)));
  switch (effect.kind) {
    case "set_variable": {
      if (effect.scope !== "session" || !mentions([effect.name, ...aliases(effect.name)])) return null;
      const value = reported.get(effect.name);
      const text = value !== undefined && !effect.literal ? reportedLiteral(value) : effect.valueText;
      return `SET @@session.${effect.name} = ${text}`;
    }
    case "set_autocommit":
      if (effect.value === null || !mentions(["autocommit"])) return null;
      return `SET @@session.autocommit = ${effect.value ? 1 : 0}`;
    case "set_names":
      return mentions(["names", "character", "charset", "collation"])
        ? `SET ${namesAssignment(effect)}`
        : null;
    default:
      return null;
  }
}

/** How statements that set the variable without naming it are written. */
function aliases(name: string): readonly string[] {
  if (/^(tx_|transaction_)/.test(name)) return ["transaction"];
  if (/^(character_set_|collation_)/.test(name)) return ["names", "character", "charset"];
  return [];
}

/** `NAMES 'cs' [COLLATE 'co']`; DEFAULT stays a keyword (quoted it names no character set). */
export function namesAssignment(names: {
  readonly charset: string;
  readonly collation: string | null;
}): string {
  const word = (text: string) => (text.toLowerCase() === "default" ? "DEFAULT" : quoteString(text));
  return `NAMES ${word(names.charset)}${names.collation === null ? "" : ` COLLATE ${word(names.collation)}`}`;
}

function quoteString(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * What a connection has after its sync steps ran: the session's state, but of its prepared
 * statements only those it had already (same text) and those the steps prepared (`used`). PREPAREs
 * are replayed only where an EXECUTE needs them (sync-plan.ts).
 */
export function connectionAfterSync(
  wanted: SyncState,
  have: SyncState,
  used: readonly { readonly name: string }[],
): SyncState {
  return {
    ...wanted,
    prepared: preparedOn(
      wanted,
      have,
      used.map((u) => u.name),
    ),
  };
}

/** What the connection that ran a statement has after it: its own PREPAREs, and what it had. */
export function connectionAfterStatement(
  wanted: SyncState,
  have: SyncState,
  effects: readonly SessionEffect[],
): SyncState {
  const ran: string[] = [];
  for (const e of effects) if (e.kind === "prepare") ran.push(e.name.toLowerCase());
  return { ...wanted, prepared: preparedOn(wanted, have, ran) };
}

function preparedOn(
  wanted: SyncState,
  have: SyncState,
  ran: readonly string[],
): ReadonlyMap<string, PreparedDefinition> {
  if (wanted.prepared.size === 0) return wanted.prepared;
  const prepared = new Map<string, PreparedDefinition>();
  for (const [name, def] of wanted.prepared)
    if (ran.includes(name) || samePrepared(have.prepared.get(name), def)) prepared.set(name, def);
  return prepared;
}

export function samePrepared(a: PreparedDefinition | undefined, b: PreparedDefinition | undefined): boolean {
  return a !== undefined && b !== undefined && a.sql === b.sql && a.schema === b.schema;
}

/**
 * A statement failed. A failed `PREPARE name` leaves no statement of that name: the server drops
 * the old one before preparing the new, so a later EXECUTE is 1243 there and must not find the
 * old one replayed here.
 */
export function afterFailedStatement(state: SyncState, effects: readonly SessionEffect[]): SyncState {
  let prepared: Map<string, PreparedDefinition> | null = null;
  for (const e of effects) {
    if (e.kind !== "prepare" || !state.prepared.has(e.name.toLowerCase())) continue;
    prepared ??= new Map(state.prepared);
    prepared.delete(e.name.toLowerCase());
  }
  return prepared === null ? state : { ...state, prepared };
}

/** The values the server reported for the session variables a statement set (lower-case names). */
function reportedValues(changes: readonly SessionChange[]): ReadonlyMap<string, string> {
  if (changes.length === 0) return NO_REPORT;
  const values = new Map<string, string>();
  for (const c of changes) if (c.kind === "system-variable") values.set(c.name.toLowerCase(), c.value);
  return values;
}

const NO_REPORT: ReadonlyMap<string, string> = new Map();

/** User variables the statement set to computed values: whatever literal we knew is stale. */
function withoutComputed(
  variables: ReadonlyMap<string, string>,
  effects: readonly SessionEffect[],
): ReadonlyMap<string, string> {
  let out: Map<string, string> | null = null;
  for (const e of effects) {
    if (e.kind !== "user_variable" || (e.how === "set" && e.literal) || !variables.has(e.name)) continue;
    out ??= new Map(variables);
    out.delete(e.name);
  }
  return out ?? variables;
}

function needsReplay(effect: SessionEffect, reported: ReadonlyMap<string, string>): boolean {
  switch (effect.kind) {
    case "set_variable":
      if (effect.scope !== "session") return false;
      if (!SAFE_NAME.test(effect.name)) return true;
      // `SET sql_mode = @saved`, a binary `SET x = ?`: the value it gave is the one reported
      return !effect.literal && !reported.has(effect.name);
    case "user_variable":
      return effect.how === "set" && effect.literal && !SAFE_NAME.test(effect.name);
    case "set_charset":
      return true;
    case "set_transaction":
      return effect.scope === "session";
    default:
      return false;
  }
}

function applyOne(state: SyncState, effect: SessionEffect, reported: ReadonlyMap<string, string>): SyncState {
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
    case "set_variable": {
      if (effect.scope !== "session") return state;
      const value = reported.get(effect.name);
      // the server's report is the value in effect; the statement's text may not be one
      if (value !== undefined && !effect.literal)
        return withVariable(state, effect.name, reportedLiteral(value));
      return withVariable(state, effect.name, effect.valueText);
    }
    case "user_variable": {
      const userVariables = new Map(state.userVariables);
      if (effect.how === "set" && effect.literal && effect.valueText !== null)
        userVariables.set(effect.name, effect.valueText);
      else if (!userVariables.delete(effect.name)) return state;
      return { ...state, userVariables };
    }
    default:
      return state;
  }
}

function withVariable(state: SyncState, name: string, valueText: string): SyncState {
  const variables = new Map(state.variables);
  // deleted first so the map keeps the order of last assignment: the combined SET assigns in that
  // order, as the session did (setting character_set_connection resets collation_connection)
  variables.delete(name);
  if (!/^default$/i.test(valueText.trim())) variables.set(name, valueText);
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
