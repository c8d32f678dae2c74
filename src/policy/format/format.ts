/**
 * `sluice fmt`: one canonical layout. Comments are kept: a comment above a declaration stays
 * above it (a blank line after a comment block is kept as one blank line), a comment at the end
 * of a line stays there, and a comment inside a rule's condition moves above the rule.
 */
import type { Comment, Item, PolicyFile, PoolProperty, Span } from "../ast.js";
import { printAction, printCondition, printPropValue, quote } from "./print-expr.js";

const WIDTH = 100;

interface Anchor {
  readonly span: Span;
  readonly kind: "version" | "item";
  readonly item?: Item;
}

export function formatPolicy(file: PolicyFile, text: string): string {
  const anchors: Anchor[] = [];
  if (file.version) anchors.push({ span: file.version.span, kind: "version" });
  for (const item of file.items) anchors.push({ span: item.span, kind: "item", item });
  anchors.sort((a, b) => a.span.start - b.span.start);
  const leading = new Map<Anchor, Comment[]>();
  const trailing = new Map<Anchor, Comment>();
  const inner = new Map<Anchor, Comment[]>();
  const tail: Comment[] = [];
  for (const c of file.comments) {
    const prev = [...anchors].reverse().find((a) => a.span.start < c.span.start);
    if (prev && c.span.start < prev.span.end) {
      push(inner, prev, c);
    } else if (prev && c.span.line === prev.span.endLine && !trailing.has(prev)) {
      trailing.set(prev, c);
    } else {
      const next = anchors.find((a) => a.span.start > c.span.start);
      if (next) push(leading, next, c);
      else tail.push(c);
    }
  }
  const blocks: string[] = [];
  let previousKind: string | undefined;
  for (const anchor of anchors) {
    const lines: string[] = [];
    const comments = leading.get(anchor) ?? [];
    const moved = anchor.item?.kind === "pool" ? [] : (inner.get(anchor) ?? []);
    const groups = commentGroups(
      [...comments, ...moved].sort((a, b) => a.span.start - b.span.start),
      text,
      anchor.span,
    );
    for (const g of groups.detached) blocks.push(g.map((c) => c.text.trimEnd()).join("\n"));
    lines.push(...groups.attached.map((c) => c.text.trimEnd()));
    const body =
      anchor.kind === "version"
        ? [`version ${file.version!.text}`]
        : printItem(anchor.item!, inner.get(anchor) ?? [], text);
    const t = trailing.get(anchor);
    if (t) body[body.length - 1] = `${body[body.length - 1]}  ${t.text.trimEnd()}`;
    lines.push(...body);
    const kind = anchor.item?.kind ?? "version";
    // consecutive imports stay together; everything else is separated by a blank line
    if (
      kind === "import" &&
      previousKind === "import" &&
      groups.attached.length === 0 &&
      groups.detached.length === 0
    )
      blocks[blocks.length - 1] = `${blocks[blocks.length - 1]}\n${lines.join("\n")}`;
    else blocks.push(lines.join("\n"));
    previousKind = kind;
  }
  if (tail.length > 0) blocks.push(tail.map((c) => c.text.trimEnd()).join("\n"));
  return `${blocks.join("\n\n")}\n`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** Comment blocks separated from what follows by a blank line are "detached". */
function commentGroups(
  comments: Comment[],
  text: string,
  anchor: Span,
): { detached: Comment[][]; attached: Comment[] } {
  const groups: Comment[][] = [];
  for (const c of comments) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev && !blankBetween(text, prev.span.end, c.span.start)) last.push(c);
    else groups.push([c]);
  }
  const lastGroup = groups[groups.length - 1];
  const lastComment = lastGroup?.[lastGroup.length - 1];
  if (
    lastGroup &&
    lastComment &&
    !blankBetween(text, lastComment.span.end, anchor.start) &&
    lastComment.span.start < anchor.start
  )
    return { detached: groups.slice(0, -1), attached: lastGroup };
  return { detached: groups, attached: [] };
}

function blankBetween(text: string, from: number, to: number): boolean {
  return from < to && /\n[ \t\r]*\n/.test(text.slice(from, to));
}

function printItem(item: Item, innerComments: Comment[], text: string): string[] {
  switch (item.kind) {
    case "import":
      return [`import ${quote(item.path.value)}`];
    case "default":
      return printAction(item.action, "default -> ", WIDTH);
    case "rule": {
      const cond = printCondition(item.condition, WIDTH - 7);
      return [
        `rule ${item.name.text}`,
        `  when ${cond[0]}`,
        ...cond.slice(1).map((l) => `    ${l}`),
        ...printAction(item.action, "  -> ", WIDTH),
      ];
    }
    case "pool":
      return printPool(item, innerComments, text);
  }
}

function printPool(item: Extract<Item, { kind: "pool" }>, comments: Comment[], text: string): string[] {
  const lines = [`pool ${item.name.text} {`];
  const used = new Set<Comment>();
  const props: PoolProperty[] = [...item.properties];
  for (const [i, p] of props.entries()) {
    const prevEnd = i === 0 ? item.name.span.end : props[i - 1]!.span.end;
    for (const c of comments) {
      if (used.has(c) || c.span.start >= p.span.start || c.span.start < prevEnd) continue;
      if (i > 0 && c.span.line === props[i - 1]!.span.endLine) continue; // trailing of the previous property
      used.add(c);
      lines.push(`  ${c.text.trimEnd()}`);
    }
    let line = `  ${p.name.text} = ${printPropValue(p.value)}`;
    const t = comments.find(
      (c) => !used.has(c) && c.span.line === p.span.endLine && c.span.start >= p.span.end,
    );
    if (t) {
      used.add(t);
      line += `  ${t.text.trimEnd()}`;
    }
    lines.push(line);
  }
  for (const c of comments) if (!used.has(c)) lines.push(`  ${c.text.trimEnd()}`);
  lines.push("}");
  void text;
  return lines;
}
