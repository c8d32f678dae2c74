/** Canonical text of conditions, values and actions. */
import type {
  ActionNode,
  BaseActionNode,
  Expr,
  ListLit,
  ModifierNode,
  PropValue,
  RegexLit,
  RespondCell,
  Value,
} from "../ast.js";

export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

export function printValue(v: Value | ListLit | RegexLit | RespondCell): string {
  switch (v.kind) {
    case "string":
      return quote(v.value);
    case "number":
      return v.text;
    case "word":
      return v.value;
    case "bool":
      return String(v.value);
    case "null":
      return "null";
    case "list":
      return `[${v.items.map(printValue).join(", ")}]`;
    case "regex":
      return `/${v.source}/${v.flags}`;
  }
}

const PREC = { or: 0, and: 1, not: 2, const: 3, compare: 3 } as const;

export function printExpr(e: Expr, min = 0): string {
  const text = printBare(e);
  return PREC[e.kind] < min ? `(${text})` : text;
}

function printBare(e: Expr): string {
  switch (e.kind) {
    case "or":
      return e.args.map((a) => printExpr(a, 1)).join(" or ");
    case "and":
      return e.args.map((a) => printExpr(a, 2)).join(" and ");
    case "not":
      return `not ${printExpr(e.arg, 2)}`;
    case "const":
      return String(e.value);
    case "compare": {
      const fact = e.fact.key === null ? e.fact.name : `${e.fact.name}.${e.fact.key}`;
      if (e.op === null || e.operand === null) return fact;
      return `${fact} ${e.op} ${printValue(e.operand)}`;
    }
  }
}

/** The condition's lines: one line if it fits, else broken before each top-level `or` (or `and`). */
export function printCondition(e: Expr, width: number): string[] {
  const flat = printExpr(e);
  if (flat.length <= width || (e.kind !== "or" && e.kind !== "and")) return [flat];
  const min = e.kind === "or" ? 1 : 2;
  return e.args.map((a, i) => (i === 0 ? printExpr(a, min) : `${e.kind} ${printExpr(a, min)}`));
}

export function printPropValue(v: PropValue): string {
  switch (v.kind) {
    case "string":
      return v.weight ? `${quote(v.value)} weight ${v.weight.text}` : quote(v.value);
    case "number":
      return v.text;
    case "duration":
      return v.duration.text;
    case "word":
      return v.duration ? `${v.value} ${v.duration.text}` : v.value;
    case "prop-list":
      return `[${v.items.map(printPropValue).join(", ")}]`;
  }
}

export function printBaseAction(a: BaseActionNode): string {
  switch (a.kind) {
    case "route":
      return `route ${a.target.text}`;
    case "deny":
      return [
        `deny ${quote(a.message.value)}`,
        a.code ? `code ${a.code.text}` : "",
        a.sqlstate ? `sqlstate ${quote(a.sqlstate.value)}` : "",
      ]
        .filter(Boolean)
        .join(" ");
    case "rewrite": {
      const from = a.from.kind === "regex" ? printValue(a.from) : `digest ${quote(a.from.template.value)}`;
      return `rewrite ${from} to ${quote(a.to.value)} then route ${a.target.text}`;
    }
    case "respond-expand":
      return `respond expand ${quote(a.sql.value)} then route ${a.target.text}`;
    case "respond-rows":
      return `respond columns (${a.columns.map((c) => quote(c.value)).join(", ")})`;
  }
}

export function printModifier(m: ModifierNode): string {
  switch (m.kind) {
    case "tag":
      return `tag ${quote(m.value.value)}`;
    case "log":
      return m.message ? `log ${quote(m.message.value)}` : "log";
    case "timeout":
      return `timeout ${m.value.kind === "duration" ? m.value.duration.text : m.value.kind === "number" ? m.value.text : m.value.value}`;
  }
}

/** `-> action` lines; parts that would pass the width go on their own indented lines. */
export function printAction(action: ActionNode, first: string, width: number): string[] {
  const lines = [`${first}${printBaseAction(action.base)}`];
  const parts: string[] = [];
  if (action.base.kind === "respond-rows")
    for (const row of action.base.rows) parts.push(`row (${row.map(printValue).join(", ")})`);
  parts.push(...action.modifiers.map(printModifier));
  for (const part of parts) {
    const last = lines[lines.length - 1]!;
    if (last.length + 1 + part.length <= width) lines[lines.length - 1] = `${last} ${part}`;
    else lines.push(`    ${part}`);
  }
  return lines;
}
