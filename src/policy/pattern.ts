/** Globs and regexes as used by `~`: one translation shared by the compiler and the reference evaluator. */
import type { Pattern } from "./ir.js";

/** Anchored regex source for a glob: `*` any run of characters, `?` exactly one. */
export function globSource(glob: string): string {
  let out = "^";
  for (const ch of glob) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return `${out}$`;
}

export function patternRegExp(pattern: Pattern): RegExp {
  return pattern.kind === "glob"
    ? new RegExp(globSource(pattern.glob), "s")
    : new RegExp(pattern.source, pattern.flags);
}

/**
 * For table sets a glob with a dot matches `schema.name` part by part (the schema being the
 * table's own or else the session's); a glob without a dot, or a regex, matches the name alone.
 */
export interface TablePattern {
  readonly schema: RegExp | null;
  readonly name: RegExp;
}

export function tablePattern(pattern: Pattern): TablePattern {
  if (pattern.kind === "glob") {
    const dot = pattern.glob.indexOf(".");
    if (dot >= 0) {
      return {
        schema: new RegExp(globSource(pattern.glob.slice(0, dot)), "s"),
        name: new RegExp(globSource(pattern.glob.slice(dot + 1)), "s"),
      };
    }
  }
  return { schema: null, name: patternRegExp(pattern) };
}

/** A table literal: `schema.name` or a bare `name` (any schema). */
export interface TableLiteral {
  readonly schema: string | null;
  readonly name: string;
}

export function tableLiteral(text: string): TableLiteral {
  const dot = text.indexOf(".");
  return dot < 0 ? { schema: null, name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

export function patternText(pattern: Pattern): string {
  return pattern.kind === "glob" ? JSON.stringify(pattern.glob) : `/${pattern.source}/${pattern.flags}`;
}
