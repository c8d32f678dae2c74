/** Lowers condition syntax to predicates, checking each comparison against the fact's type. */
import type { Expr, ListLit, RegexLit, Span, Value } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import { type Cond, FALSE, type Pattern, type Pred, TRUE } from "../ir.js";
import { FACTS, type FactDef, factByName } from "../vocabulary.js";
import { suggestion } from "./did-you-mean.js";

export interface ConditionContext {
  readonly poolNames: readonly string[];
  readonly diagnostics: Diagnostic[];
}

/** Lowers `expr`; on a type error reports it and returns `false` so checking goes on. */
export function lowerCondition(expr: Expr, ctx: ConditionContext): Cond {
  switch (expr.kind) {
    case "const":
      return expr.value ? TRUE : FALSE;
    case "not":
      return { kind: "not", arg: lowerCondition(expr.arg, ctx) };
    case "and":
    case "or":
      return { kind: expr.kind, args: expr.args.map((a) => lowerCondition(a, ctx)) };
    case "compare":
      return lowerComparison(expr, ctx) ?? FALSE;
  }
}

type Compare = Extract<Expr, { kind: "compare" }>;

function error(ctx: ConditionContext, code: string, span: Span, message: string, hint: string): undefined {
  ctx.diagnostics.push({ code, severity: "error", message, span, hint });
  return undefined;
}

function pred(p: Pred): Cond {
  return { kind: "pred", pred: p };
}

function lowerComparison(expr: Compare, ctx: ConditionContext): Cond | undefined {
  const def = factByName(expr.fact.name);
  if (def === undefined) {
    return error(
      ctx,
      "SLU201",
      expr.fact.span,
      `unknown fact \`${expr.fact.name}\``,
      suggestion(
        expr.fact.name,
        FACTS.map((f) => f.name),
        "facts",
      ),
    );
  }
  if (def.keyed && expr.fact.key === null) {
    return error(
      ctx,
      "SLU201",
      expr.fact.span,
      `\`${def.name}\` needs a key`,
      `write \`${def.name}.<key>\`, e.g. \`hint.route\``,
    );
  }
  if (!def.keyed && expr.fact.key !== null) {
    return error(
      ctx,
      "SLU201",
      expr.fact.span,
      `\`${def.name}\` has no keys`,
      `write \`${def.name}\` without \`.${expr.fact.key}\``,
    );
  }
  const dim = def.keyed ? `${def.name}.${expr.fact.key}` : def.name;
  const { op, operand } = expr;
  const type = def.type;
  const mismatch = (hint: string): undefined =>
    error(
      ctx,
      "SLU203",
      expr.span,
      `\`${dim}\` (${typeName(def)}) cannot be used with ${op === null ? "no operator" : `\`${op}\``}`,
      hint,
    );

  switch (type.kind) {
    case "bool": {
      if (op === null) return pred({ kind: "bool", dim });
      if ((op === "=" || op === "!=") && operand?.kind === "bool") {
        const positive = (op === "=") === operand.value;
        return positive ? pred({ kind: "bool", dim }) : { kind: "not", arg: pred({ kind: "bool", dim }) };
      }
      return mismatch(`a boolean fact is tested bare: \`${dim}\` or \`not ${dim}\``);
    }
    case "enum": {
      if (op === "=" || op === "!=") {
        const v = enumValue(operand, def, type.values, ctx);
        if (v === undefined) return undefined;
        const p = pred({ kind: "enum-in", dim, values: [v] });
        return op === "=" ? p : { kind: "not", arg: p };
      }
      if (op === "in" || op === "not in") {
        const values = enumList(operand, def, type.values, ctx);
        if (values === undefined) return undefined;
        const p = pred({ kind: "enum-in", dim, values });
        return op === "in" ? p : { kind: "not", arg: p };
      }
      return mismatch(
        `compare it: \`${dim} = ${type.values[0]}\` or \`${dim} in [${type.values.slice(0, 2).join(", ")}]\``,
      );
    }
    case "string": {
      if (op === null) {
        if (type.optional) return pred({ kind: "str-present", dim });
        return mismatch(`compare it: \`${dim} = "…"\` or \`${dim} ~ "pattern*"\``);
      }
      if ((op === "=" || op === "!=") && operand?.kind === "null") {
        if (!type.optional) return mismatch(`\`${dim}\` always has a value`);
        const present = pred({ kind: "str-present", dim });
        return op === "!=" ? present : { kind: "not", arg: present };
      }
      if (op === "=" || op === "!=") {
        const v = stringValue(operand, dim, ctx);
        if (v === undefined) return undefined;
        checkPoolName(def, operand, v, ctx);
        const p = pred({ kind: "str-in", dim, values: [v] });
        return op === "=" ? p : { kind: "not", arg: p };
      }
      if (op === "in" || op === "not in") {
        const values = stringList(operand, dim, ctx);
        if (values === undefined) return undefined;
        const p = pred({ kind: "str-in", dim, values });
        return op === "in" ? p : { kind: "not", arg: p };
      }
      if (op === "~") {
        const pattern = lowerPattern(operand, ctx);
        return pattern ? pred({ kind: "str-match", dim, pattern }) : undefined;
      }
      return mismatch(`\`contains\` is for sets; compare a string with \`=\`, \`in\` or \`~\``);
    }
    case "enum-set": {
      if (op === null) return pred({ kind: "set-nonempty", dim });
      if (op === "contains") {
        const values =
          operand?.kind === "list"
            ? enumList(operand, def, type.values, ctx)
            : wrap(enumValue(operand, def, type.values, ctx));
        return values ? pred({ kind: "set-has", dim, values }) : undefined;
      }
      return mismatch(
        `a set is tested bare (not empty) or with \`contains\`: \`${dim} contains ${type.values[0]}\``,
      );
    }
    case "string-set": {
      if (op === null) return pred({ kind: "set-nonempty", dim });
      if (op === "contains") {
        const values =
          operand?.kind === "list" ? stringList(operand, dim, ctx) : wrap(stringValue(operand, dim, ctx));
        return values ? pred({ kind: "set-has", dim, values }) : undefined;
      }
      if (op === "~") {
        const pattern = lowerPattern(operand, ctx);
        return pattern ? pred({ kind: "set-match", dim, pattern }) : undefined;
      }
      return mismatch(`a set is tested bare (not empty), with \`contains "…"\` or with \`~ "pattern*"\``);
    }
  }
}

function wrap<T>(v: T | undefined): T[] | undefined {
  return v === undefined ? undefined : [v];
}

function typeName(def: FactDef): string {
  switch (def.type.kind) {
    case "bool":
      return "a boolean";
    case "enum":
      return "one of a fixed set of words";
    case "string":
      return def.type.optional ? "a string or null" : "a string";
    case "enum-set":
      return "a set of words";
    case "string-set":
      return "a set of strings";
  }
}

type Operand = Value | ListLit | RegexLit | null;

function enumValue(
  operand: Operand,
  def: FactDef,
  values: readonly string[],
  ctx: ConditionContext,
): string | undefined {
  if (operand?.kind === "word") {
    if (values.includes(operand.value)) return operand.value;
    return error(
      ctx,
      "SLU202",
      operand.span,
      `\`${operand.value}\` is not a value of \`${def.name}\``,
      suggestion(operand.value, values, `values of \`${def.name}\``),
    );
  }
  if (operand?.kind === "string" && values.includes(operand.value)) {
    return error(
      ctx,
      "SLU203",
      operand.span,
      `\`${def.name}\` values are words, not strings`,
      `write ${operand.value} without quotes`,
    );
  }
  const span = operand?.span;
  if (span === undefined) return undefined;
  return error(
    ctx,
    "SLU203",
    span,
    `expected a value of \`${def.name}\``,
    suggestion("", values, `values of \`${def.name}\``),
  );
}

function enumList(
  operand: Operand,
  def: FactDef,
  values: readonly string[],
  ctx: ConditionContext,
): string[] | undefined {
  if (operand?.kind !== "list") {
    if (operand)
      error(ctx, "SLU203", operand.span, "expected a list", `write [${values[0]}, ${values[1] ?? "…"}]`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const item of operand.items) {
    const v = enumValue(item, def, values, ctx);
    if (v === undefined) ok = false;
    else out.push(v);
  }
  return ok ? out : undefined;
}

function stringValue(operand: Operand, dim: string, ctx: ConditionContext): string | undefined {
  if (operand?.kind === "string") return operand.value;
  if (operand?.kind === "word" || operand?.kind === "number") {
    const text = operand.kind === "word" ? operand.value : operand.text;
    return error(ctx, "SLU203", operand.span, `\`${dim}\` is compared with strings`, `quote it: "${text}"`);
  }
  if (operand)
    error(ctx, "SLU203", operand.span, `\`${dim}\` is compared with strings`, 'write a quoted string: "…"');
  return undefined;
}

function stringList(operand: Operand, dim: string, ctx: ConditionContext): string[] | undefined {
  if (operand?.kind !== "list") {
    if (operand) error(ctx, "SLU203", operand.span, "expected a list", '["a", "b"]');
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const item of operand.items) {
    const v = stringValue(item, dim, ctx);
    if (v === undefined) ok = false;
    else out.push(v);
  }
  return ok ? out : undefined;
}

function checkPoolName(def: FactDef, operand: Operand, value: string, ctx: ConditionContext): void {
  if (def.name !== "previous_pool" || operand === null || ctx.poolNames.includes(value)) return;
  error(ctx, "SLU204", operand.span, `unknown pool \`${value}\``, suggestion(value, ctx.poolNames, "pools"));
}

const ALLOWED_FLAGS = new Set(["i", "m", "s", "u"]);

export function lowerPattern(operand: Operand, ctx: ConditionContext): Pattern | undefined {
  if (operand?.kind === "string") return { kind: "glob", glob: operand.value };
  if (operand?.kind === "regex") return checkRegex(operand, ctx.diagnostics);
  return undefined;
}

export function checkRegex(re: RegexLit, diagnostics: Diagnostic[]): Pattern | undefined {
  const bad = [...re.flags].filter((f) => !ALLOWED_FLAGS.has(f));
  if (bad.length > 0) {
    diagnostics.push({
      code: "SLU206",
      severity: "error",
      message: `unsupported regular expression flag${bad.length > 1 ? "s" : ""} '${bad.join("")}'`,
      span: re.span,
      hint: "allowed flags: i (ignore case), m (multi-line), s (dot matches newline), u (unicode); g and y make matching stateful",
    });
    return undefined;
  }
  try {
    new RegExp(re.source, re.flags);
  } catch (e) {
    diagnostics.push({
      code: "SLU205",
      severity: "error",
      message: `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`,
      span: re.span,
      hint: "check brackets and escapes; `/` inside the pattern is written `\\/`",
    });
    return undefined;
  }
  return { kind: "regex", source: re.source, flags: re.flags };
}
