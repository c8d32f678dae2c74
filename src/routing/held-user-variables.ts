import type { Facts, StatementKind } from "../classifier/facts.js";

/**
 * User variables whose values live only on one backend connection: set where Sluice cannot see
 * or copy the value (in a stored procedure, by an EXECUTE, `SELECT … INTO @x`, `@x := …`, a
 * `CALL p(@out)` argument, `GET DIAGNOSTICS @e = …`, `SET @n = <anything but a literal>`). A
 * statement that reads them must run on that connection (MaxScale's `use_sql_variables_in=master`,
 * but on the server where the value is; held on the primary, the whole session stays, see
 * route.ts); once the connection is gone, so are the values, and such a read gets an error
 * instead of another server's NULL. Pure.
 */
export interface HeldUserVariables {
  /** the server whose connection has the values */
  readonly server: string;
  /** the names, or null when the server only said "some session state changed" (any name) */
  readonly names: readonly string[] | null;
  /** with `names` null: names set copyably since, whose values every connection has */
  readonly copied: readonly string[];
  /** the session has let go of that connection since (given back to the pool, lost, moved on) */
  readonly gone: boolean;
}

/** Statements whose user variables the classifier does not see (a procedure's, an EXECUTE's). */
const HIDDEN_SETTERS = new Set<StatementKind>(["call", "execute", "compound"]);

/** Of a multi-statement, only such parts hide theirs (the merged digest keeps each part's start). */
const HIDDEN_PART = /^(?:CALL|EXECUTE|BEGIN NOT ATOMIC|IF|CASE|LOOP|WHILE|REPEAT|FOR)\b/;

function hidesSetters(facts: Facts): boolean {
  if (facts.kind !== "multi_statement") return HIDDEN_SETTERS.has(facts.kind);
  return facts.digest.split("; ").some((part) => HIDDEN_PART.test(part));
}

/**
 * What is held after a statement ran successfully on `server`; `stateChanged`: the server's
 * session tracker reported that some session state changed.
 */
export function heldAfter(
  held: HeldUserVariables | null,
  facts: Facts,
  server: string,
  stateChanged: boolean,
): HeldUserVariables | null {
  let next = held;
  if (stateChanged && hidesSetters(facts)) next = hold(next, server, null);
  // an expression reading held values cannot be replayed elsewhere: what it sets is held too
  const fromHeld = readsHeld(held, facts);
  for (const e of facts.sessionEffects) {
    if (e.kind !== "user_variable") continue;
    // `SET @n = (SELECT COUNT(*) …)`, `SET @t = NOW()`: re-running the expression elsewhere would
    // compute another value, so only a literal (or pure) value is copied; the rest is held
    const copyable = e.how === "set" && e.literal && !fromHeld;
    if (!copyable) next = hold(next, server, [e.name]);
    else if (next !== null) next = copied(next, e.name);
  }
  return next;
}

/**
 * The names whose values only the held connection has, for reading them off it before it goes
 * back to the pool (and turning them into literal SETs); null when some are unnamed (a procedure
 * set variables the server did not name), [] when none is held or the connection is gone.
 */
export function heldNames(held: HeldUserVariables | null): readonly string[] | null {
  if (held === null || held.gone) return [];
  return held.names;
}

/** The statement reads a value that lives only on the held server's connection. */
export function readsHeld(held: HeldUserVariables | null, facts: Facts): boolean {
  if (held === null) return false;
  const reads = facts.userVariables ?? [];
  const { names, copied } = held;
  return reads.some((n) => (names === null ? !copied.includes(n) : names.includes(n)));
}

/** The session's connection changed: values held on the old one are gone. */
export function heldConnectionGone(held: HeldUserVariables | null): HeldUserVariables | null {
  return held === null || held.gone ? held : { ...held, gone: true };
}

function hold(
  held: HeldUserVariables | null,
  server: string,
  names: readonly string[] | null,
): HeldUserVariables {
  if (held === null) return { server, names, copied: [], gone: false };
  // values left on a connection the session let go of stay unreadable: a later setter on
  // another connection must not make a read of them return that server's NULL
  const merged =
    held.names === null || names === null
      ? null
      : [...held.names, ...names.filter((n) => !held.names?.includes(n))];
  const copiedLeft = names === null ? [] : held.copied.filter((n) => !names.includes(n));
  return { server, names: merged, copied: copiedLeft, gone: held.gone };
}

/** The values of `names` were read off the held connection: every connection can have them now. */
export function heldCaptured(
  held: HeldUserVariables | null,
  names: readonly string[],
): HeldUserVariables | null {
  let next = held;
  for (const name of names) if (next !== null) next = copied(next, name);
  return next;
}

/** `SET @n = literal` (or a replayable expression): every connection gets that value now. */
function copied(held: HeldUserVariables, name: string): HeldUserVariables | null {
  if (held.names === null)
    return held.copied.includes(name) ? held : { ...held, copied: [...held.copied, name] };
  if (!held.names.includes(name)) return held;
  const names = held.names.filter((n) => n !== name);
  return names.length === 0 ? null : { ...held, names };
}

/** ER_UNKNOWN_ERROR with Sluice's reason: the honest answer when the values are gone. */
export function heldUserVariablesGoneError(server: string): {
  code: number;
  sqlstate: string;
  message: string;
} {
  return {
    code: 1105,
    sqlstate: "HY000",
    message:
      `this statement reads user variables set where Sluice cannot copy them (a stored procedure, EXECUTE, ` +
      `SELECT … INTO @var or @var := …), which lived only on the session's connection to '${server}'; ` +
      "Sluice has let go of that connection since, so their values are gone: read them before a statement " +
      "that moves the session, SET them again to a literal, or reset the connection",
  };
}
