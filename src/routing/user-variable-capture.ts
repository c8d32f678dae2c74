import type { SessionEffect } from "../classifier/facts.js";

/**
 * Held user variables (see held-user-variables.ts) read off their connection before the session
 * gives it up, and written back as literals of the same type, character set and collation, so
 * every later connection gets the value the server computed (not the expression run again).
 * Pure: the session layer runs the query and hands the cells back.
 */

function quoteName(name: string): string {
  return `@\`${name.replace(/`/g, "``")}\``;
}

/** Per variable: its value (typed column), its bytes in its own character set, its collation. */
export function captureVariablesSql(names: readonly string[]): string {
  return `SELECT ${names
    .map((n) => {
      const v = quoteName(n);
      return `${v}, CAST(${v} AS BINARY), COLLATION(${v})`;
    })
    .join(", ")}`;
}

/** MySQL column types of numbers: integers, DECIMAL, FLOAT/DOUBLE. */
const INTEGER_TYPES = new Set([1, 2, 3, 8, 9, 13]);
const DECIMAL_TYPES = new Set([0, 246]);
const FLOAT_TYPES = new Set([4, 5]);

/** A literal that gives the variable the same value and type (null: cannot say, keep it held). */
export function capturedLiteral(type: number, bytes: Buffer | null, collation: Buffer | null): string | null {
  if (bytes === null) return "NULL";
  const text = bytes.toString("latin1");
  if (INTEGER_TYPES.has(type)) return /^-?\d+$/.test(text) ? text : null;
  if (DECIMAL_TYPES.has(type)) return /^-?\d+(\.\d+)?$/.test(text) ? text : null;
  if (FLOAT_TYPES.has(type)) {
    if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text)) return null;
    // an exponent makes the literal a DOUBLE, as the variable was
    return /e/i.test(text) ? text : `${text}e0`;
  }
  const name = collation?.toString("latin1") ?? "";
  if (!/^[a-z0-9_]+$/.test(name)) return null;
  const charset = name === "binary" ? "binary" : name.slice(0, name.indexOf("_"));
  if (charset === "") return null;
  const hex = `X'${bytes.toString("hex")}'`;
  return charset === "binary" ? `_binary ${hex}` : `_${charset} ${hex} COLLATE ${name}`;
}

/** The SET that gives another connection the captured values, and its effects for the sync state. */
export function capturedAssignments(values: ReadonlyMap<string, string>): {
  readonly sql: string;
  readonly effects: readonly SessionEffect[];
} {
  const effects: SessionEffect[] = [];
  const parts: string[] = [];
  for (const [name, literal] of values) {
    parts.push(`${quoteName(name)} = ${literal}`);
    effects.push({ kind: "user_variable", name, how: "set", valueText: literal, literal: true });
  }
  return { sql: `SET ${parts.join(", ")}`, effects };
}
