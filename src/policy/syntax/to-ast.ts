/**
 * Stage 3: concrete syntax tree → AST. Tolerates the holes error recovery leaves (a missing
 * child means the parser already reported an error there), dropping incomplete items.
 */
import type { CstNode, IToken } from "chevrotain";
import type {
  ActionNode,
  BaseActionNode,
  CompareOp,
  Duration,
  Expr,
  FactRef,
  Item,
  ListLit,
  ModifierNode,
  Name,
  NumberLit,
  PoolProperty,
  PropValue,
  RegexLit,
  RespondCell,
  Span,
  StringLit,
  TimeoutValue,
  Value,
} from "../ast.js";
import { joinSpans, tokenSpan } from "./span.js";

type Children = CstNode["children"];

class Reader {
  constructor(readonly file: string) {}

  tok(ctx: Children, name: string, i = 0): IToken | undefined {
    const t = ctx[name]?.[i];
    return t !== undefined && "image" in t && !Number.isNaN(t.startOffset) ? t : undefined;
  }
  toks(ctx: Children, name: string): IToken[] {
    return (ctx[name] ?? []).filter((t): t is IToken => "image" in t && !Number.isNaN(t.startOffset));
  }
  node(ctx: Children, name: string, i = 0): CstNode | undefined {
    const n = ctx[name]?.[i];
    return n !== undefined && "children" in n ? n : undefined;
  }
  nodes(ctx: Children, name: string): CstNode[] {
    return (ctx[name] ?? []).filter((n): n is CstNode => "children" in n);
  }
  span(t: IToken): Span {
    return tokenSpan(this.file, t);
  }
  name(t: IToken): Name {
    return { text: t.image, span: this.span(t) };
  }
  string(t: IToken): StringLit {
    return { kind: "string", value: unquote(t.image), span: this.span(t) };
  }
  number(t: IToken): NumberLit {
    return { kind: "number", value: Number(t.image), text: t.image, span: this.span(t) };
  }
  regex(t: IToken): RegexLit {
    const last = t.image.lastIndexOf("/");
    return {
      kind: "regex",
      source: t.image.slice(1, last),
      flags: t.image.slice(last + 1),
      span: this.span(t),
    };
  }
  duration(t: IToken): Duration {
    return { ms: parseDuration(t.image), text: t.image, span: this.span(t) };
  }
}

export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = m[2];
  return unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000;
}

export interface AstResult {
  readonly version: NumberLit | null;
  readonly items: Item[];
}

export function toAst(file: string, cst: CstNode): AstResult {
  const r = new Reader(file);
  const versionNode = r.node(cst.children, "versionDecl");
  const versionTok = versionNode ? r.tok(versionNode.children, "Number") : undefined;
  const items: Item[] = [];
  for (const itemNode of r.nodes(cst.children, "item")) {
    const item = toItem(r, itemNode.children);
    if (item) items.push(item);
  }
  return { version: versionTok ? r.number(versionTok) : null, items };
}

function toItem(r: Reader, ctx: Children): Item | undefined {
  const imp = r.node(ctx, "importDecl");
  if (imp) {
    const kw = r.tok(imp.children, "Import");
    const path = r.tok(imp.children, "String");
    if (!kw || !path) return undefined;
    return { kind: "import", path: r.string(path), span: joinSpans(r.span(kw), r.span(path)) };
  }
  const pool = r.node(ctx, "poolDecl");
  if (pool) return toPool(r, pool.children);
  const rule = r.node(ctx, "ruleDecl");
  if (rule) {
    const kw = r.tok(rule.children, "Rule");
    const name = r.tok(rule.children, "Identifier");
    const condNode = r.node(rule.children, "orExpr");
    const actNode = r.node(rule.children, "action");
    const condition = condNode ? toOr(r, condNode.children) : undefined;
    const action = actNode ? toAction(r, actNode.children) : undefined;
    if (!kw || !name || !condition || !action) return undefined;
    return { kind: "rule", name: r.name(name), condition, action, span: joinSpans(r.span(kw), action.span) };
  }
  const def = r.node(ctx, "defaultDecl");
  if (def) {
    const kw = r.tok(def.children, "Default");
    const actNode = r.node(def.children, "action");
    const action = actNode ? toAction(r, actNode.children) : undefined;
    if (!kw || !action) return undefined;
    return { kind: "default", action, span: joinSpans(r.span(kw), action.span) };
  }
  return undefined;
}

function toPool(r: Reader, ctx: Children): Item | undefined {
  const kw = r.tok(ctx, "Pool");
  const name = r.tok(ctx, "Identifier");
  const close = r.tok(ctx, "RBrace");
  if (!kw || !name) return undefined;
  const properties: PoolProperty[] = [];
  for (const p of r.nodes(ctx, "poolProperty")) {
    const pname = r.tok(p.children, "Identifier");
    const vnode = r.node(p.children, "propertyValue");
    const value = vnode ? toPropValue(r, vnode.children) : undefined;
    if (pname && value)
      properties.push({ name: r.name(pname), value, span: joinSpans(r.span(pname), value.span) });
  }
  const end = close ? r.span(close) : (properties.at(-1)?.span ?? r.span(name));
  return { kind: "pool", name: r.name(name), properties, span: joinSpans(r.span(kw), end) };
}

function toPropValue(r: Reader, ctx: Children): PropValue | undefined {
  const str = r.tok(ctx, "String");
  if (str) {
    const weight = r.tok(ctx, "Number");
    const s = r.string(str);
    return {
      ...s,
      weight: weight ? r.number(weight) : null,
      span: weight ? joinSpans(s.span, r.span(weight)) : s.span,
    };
  }
  const lb = r.tok(ctx, "LBracket");
  if (lb) {
    const items = r.nodes(ctx, "propertyValue").flatMap((n) => toPropValue(r, n.children) ?? []);
    const rb = r.tok(ctx, "RBracket");
    return { kind: "prop-list", items, span: joinSpans(r.span(lb), rb ? r.span(rb) : r.span(lb)) };
  }
  const word = r.tok(ctx, "Identifier");
  const durations = r.toks(ctx, "Duration");
  if (word) {
    const d = durations[0];
    const span = d ? joinSpans(r.span(word), r.span(d)) : r.span(word);
    return { kind: "word", value: word.image, duration: d ? r.duration(d) : null, span };
  }
  const d = durations[0];
  if (d) return { kind: "duration", duration: r.duration(d), span: r.span(d) };
  const num = r.tok(ctx, "Number");
  if (num) return r.number(num);
  return undefined;
}

function exprSpan(args: readonly Expr[]): Span {
  return joinSpans(args[0]!.span, args[args.length - 1]!.span);
}

function toOr(r: Reader, ctx: Children): Expr | undefined {
  const args = r.nodes(ctx, "andExpr").map((n) => toAnd(r, n.children));
  if (args.length === 0 || args.some((a) => a === undefined)) return undefined;
  const ok = args as Expr[];
  return ok.length === 1 ? ok[0] : { kind: "or", args: ok, span: exprSpan(ok) };
}

function toAnd(r: Reader, ctx: Children): Expr | undefined {
  const args = r.nodes(ctx, "notExpr").map((n) => toNot(r, n.children));
  if (args.length === 0 || args.some((a) => a === undefined)) return undefined;
  const ok = args as Expr[];
  return ok.length === 1 ? ok[0] : { kind: "and", args: ok, span: exprSpan(ok) };
}

function toNot(r: Reader, ctx: Children): Expr | undefined {
  const not = r.tok(ctx, "Not");
  if (not) {
    const inner = r.node(ctx, "notExpr");
    const arg = inner ? toNot(r, inner.children) : undefined;
    return arg ? { kind: "not", arg, span: joinSpans(r.span(not), arg.span) } : undefined;
  }
  const prim = r.node(ctx, "primary");
  return prim ? toPrimary(r, prim.children) : undefined;
}

function toPrimary(r: Reader, ctx: Children): Expr | undefined {
  const inner = r.node(ctx, "orExpr");
  if (inner) return toOr(r, inner.children);
  const t = r.tok(ctx, "True") ?? r.tok(ctx, "False");
  if (t) return { kind: "const", value: t.image === "true", span: r.span(t) };
  const cmp = r.node(ctx, "comparison");
  return cmp ? toComparison(r, cmp.children) : undefined;
}

function toComparison(r: Reader, ctx: Children): Expr | undefined {
  const factNode = r.node(ctx, "factRef");
  if (!factNode) return undefined;
  const ids = r.toks(factNode.children, "Identifier");
  const first = ids[0];
  if (!first) return undefined;
  const second =
    ids[1] ??
    r.tok(factNode.children, "Route") ??
    r.tok(factNode.children, "Pool") ??
    r.tok(factNode.children, "Default");
  const fact: FactRef = {
    name: first.image,
    key: second ? second.image : null,
    span: second ? joinSpans(r.span(first), r.span(second)) : r.span(first),
  };
  let op: CompareOp | null = null;
  let operand: Value | ListLit | RegexLit | null = null;
  const values = r.nodes(ctx, "value");
  const lists = r.nodes(ctx, "list");
  if (r.tok(ctx, "Eq")) op = "=";
  else if (r.tok(ctx, "NotEq")) op = "!=";
  else if (r.tok(ctx, "Not")) op = "not in";
  else if (r.tok(ctx, "In")) op = "in";
  else if (r.tok(ctx, "Contains")) op = "contains";
  else if (r.tok(ctx, "Tilde")) op = "~";
  if (op === "~") {
    const s = r.tok(ctx, "String");
    const re = r.tok(ctx, "Regex");
    operand = s ? r.string(s) : re ? r.regex(re) : null;
  } else if (values[0]) {
    operand = toValue(r, values[0].children) ?? null;
  } else if (lists[0]) {
    operand = toList(r, lists[0].children) ?? null;
  }
  if (op !== null && operand === null) return undefined;
  return {
    kind: "compare",
    fact,
    op,
    operand,
    span: operand ? joinSpans(fact.span, operand.span) : fact.span,
  };
}

function toValue(r: Reader, ctx: Children): Value | undefined {
  const s = r.tok(ctx, "String");
  if (s) return r.string(s);
  const n = r.tok(ctx, "Number");
  if (n) return r.number(n);
  const id = r.tok(ctx, "Identifier");
  if (id) return { kind: "word", value: id.image, span: r.span(id) };
  const b = r.tok(ctx, "True") ?? r.tok(ctx, "False");
  if (b) return { kind: "bool", value: b.image === "true", span: r.span(b) };
  const nul = r.tok(ctx, "Null");
  if (nul) return { kind: "null", span: r.span(nul) };
  return undefined;
}

function toList(r: Reader, ctx: Children): ListLit | undefined {
  const lb = r.tok(ctx, "LBracket");
  const rb = r.tok(ctx, "RBracket");
  if (!lb || !rb) return undefined;
  const items = r.nodes(ctx, "value").flatMap((v) => toValue(r, v.children) ?? []);
  return { kind: "list", items, span: joinSpans(r.span(lb), r.span(rb)) };
}

function toTarget(r: Reader, node: CstNode | undefined): Name | undefined {
  const id = node ? r.tok(node.children, "Identifier") : undefined;
  return id ? r.name(id) : undefined;
}

function toAction(r: Reader, ctx: Children): ActionNode | undefined {
  const base = toBaseAction(r, ctx);
  if (!base) return undefined;
  const modifiers: ModifierNode[] = [];
  for (const m of r.nodes(ctx, "modifier")) {
    const tag = r.tok(m.children, "Tag");
    const log = r.tok(m.children, "Log");
    const timeout = r.tok(m.children, "Timeout");
    const str = r.tok(m.children, "String");
    const value = timeout ? toTimeoutValue(r, m.children) : undefined;
    if (timeout && value)
      modifiers.push({ kind: "timeout", value, span: joinSpans(r.span(timeout), value.span) });
    else if (tag && str)
      modifiers.push({ kind: "tag", value: r.string(str), span: joinSpans(r.span(tag), r.span(str)) });
    else if (log) {
      const span = str ? joinSpans(r.span(log), r.span(str)) : r.span(log);
      modifiers.push({ kind: "log", message: str ? r.string(str) : null, span });
    }
  }
  const last = modifiers.at(-1);
  return { base, modifiers, span: last ? joinSpans(base.span, last.span) : base.span };
}

function toTimeoutValue(r: Reader, ctx: Children): TimeoutValue | undefined {
  const d = r.tok(ctx, "Duration");
  if (d) return { kind: "duration", duration: r.duration(d), span: r.span(d) };
  const n = r.tok(ctx, "Number");
  if (n) return r.number(n);
  const id = r.tok(ctx, "Identifier");
  return id ? { kind: "word", value: id.image, span: r.span(id) } : undefined;
}

function toBaseAction(r: Reader, ctx: Children): BaseActionNode | undefined {
  const route = r.node(ctx, "routeAction");
  if (route) {
    const kw = r.tok(route.children, "Route");
    const target = r.tok(route.children, "Identifier");
    if (!kw || !target) return undefined;
    return { kind: "route", target: r.name(target), span: joinSpans(r.span(kw), r.span(target)) };
  }
  const deny = r.node(ctx, "denyAction");
  if (deny) {
    const kw = r.tok(deny.children, "Deny");
    const strings = r.toks(deny.children, "String");
    const msg = strings[0];
    const code = r.tok(deny.children, "Number");
    const sqlstate = r.tok(deny.children, "Sqlstate") ? strings[1] : undefined;
    if (!kw || !msg) return undefined;
    const lastTok = [msg, code, sqlstate]
      .filter((t): t is IToken => t !== undefined)
      .sort((a, b) => b.startOffset - a.startOffset)[0]!;
    return {
      kind: "deny",
      message: r.string(msg),
      code: code ? r.number(code) : null,
      sqlstate: sqlstate ? r.string(sqlstate) : null,
      span: joinSpans(r.span(kw), r.span(lastTok)),
    };
  }
  const rewrite = r.node(ctx, "rewriteAction");
  if (rewrite) {
    const c = rewrite.children;
    const kw = r.tok(c, "Rewrite");
    const re = r.tok(c, "Regex");
    const strings = r.toks(c, "String");
    const digestKw = r.tok(c, "Digest");
    const target = toTarget(r, r.node(c, "thenRoute"));
    const template = digestKw ? strings[0] : undefined;
    const to = digestKw ? strings[1] : strings[0];
    if (!kw || !to || !target || (!re && !(digestKw && template))) return undefined;
    const from =
      re !== undefined
        ? r.regex(re)
        : {
            kind: "digest" as const,
            template: r.string(template!),
            span: joinSpans(r.span(digestKw!), r.span(template!)),
          };
    return { kind: "rewrite", from, to: r.string(to), target, span: joinSpans(r.span(kw), target.span) };
  }
  const respond = r.node(ctx, "respondAction");
  if (respond) {
    const c = respond.children;
    const kw = r.tok(c, "Respond");
    if (!kw) return undefined;
    if (r.tok(c, "Expand")) {
      const sql = r.tok(c, "String");
      const target = toTarget(r, r.node(c, "thenRoute"));
      if (!sql || !target) return undefined;
      return { kind: "respond-expand", sql: r.string(sql), target, span: joinSpans(r.span(kw), target.span) };
    }
    const columns = r.toks(c, "String").map((t) => r.string(t));
    const rows: RespondCell[][] = r.nodes(c, "respondRow").map((row) =>
      r.nodes(row.children, "cell").flatMap((cell) => {
        const v = toValue(r, cell.children);
        return v && v.kind !== "bool" ? [v] : [];
      }),
    );
    const close = r.toks(c, "RParen")[0];
    const lastRow = r.nodes(c, "respondRow").at(-1);
    const lastRowEnd = lastRow ? r.toks(lastRow.children, "RParen")[0] : undefined;
    const end = lastRowEnd ?? close;
    if (columns.length === 0) return undefined;
    return {
      kind: "respond-rows",
      columns,
      rows,
      span: joinSpans(r.span(kw), end ? r.span(end) : columns.at(-1)!.span),
    };
  }
  return undefined;
}
