import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { DecodeContext, Path } from "./decode-context.js";
import { ConfigCode } from "./diagnostic.js";
import { didYouMean } from "./did-you-mean.js";

/**
 * A small decoder kit over YAML nodes: each decoder checks one node, reports what is wrong with
 * its document path and location, and returns the typed value or `invalid` — never throws — so
 * one load reports every problem. Object decoders reject unknown keys with a did-you-mean.
 */
export const invalid: unique symbol = Symbol("invalid");
export type Invalid = typeof invalid;
export type Decoded<T> = T | Invalid;
export type Decoder<T> = (node: Node, path: Path, ctx: DecodeContext) => Decoded<T>;

/** What a value looks like, for "expected X, got Y" messages. */
export function describeNode(node: Node): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "nothing (null)";
    if (typeof v === "string") return `a string (${JSON.stringify(v)})`;
    if (typeof v === "number") return `a number (${v})`;
    if (typeof v === "boolean") return `a boolean (${v})`;
  }
  return "something else";
}

function wrongType(
  node: Node,
  path: Path,
  ctx: DecodeContext,
  expected: string,
  hint: string | null = null,
): Invalid {
  ctx.report(ConfigCode.wrongType, node, path, `expected ${expected}, got ${describeNode(node)}`, hint);
  return invalid;
}

export function string(opts: { allowEmpty?: boolean } = {}): Decoder<string> {
  return (node, path, ctx) => {
    if (!isScalar(node) || typeof node.value !== "string") {
      const quoteHint =
        isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean")
          ? `quote it: "${String(node.value)}"`
          : null;
      return wrongType(node, path, ctx, "a string", quoteHint);
    }
    if (!opts.allowEmpty && node.value.trim() === "") {
      ctx.report(ConfigCode.outOfRange, node, path, "must not be empty");
      return invalid;
    }
    return node.value;
  };
}

export function integer(opts: { min?: number; max?: number; unit?: string } = {}): Decoder<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, unit = "" } = opts;
  return (node, path, ctx) => {
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) {
      const hint =
        isScalar(node) && typeof node.value === "string" && /^\d+$/.test(node.value)
          ? `remove the quotes: ${node.value}`
          : null;
      return wrongType(node, path, ctx, "an integer", hint);
    }
    return checkRange(node, path, ctx, node.value, min, max, unit);
  };
}

export function number(opts: { min: number; max: number }): Decoder<number> {
  return (node, path, ctx) => {
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isFinite(node.value)) {
      return wrongType(node, path, ctx, "a number");
    }
    return checkRange(node, path, ctx, node.value, opts.min, opts.max, "");
  };
}

function checkRange(
  node: Node,
  path: Path,
  ctx: DecodeContext,
  v: number,
  min: number,
  max: number,
  unit: string,
): Decoded<number> {
  if (v < min || v > max) {
    const bounds =
      max === Number.MAX_SAFE_INTEGER ? `at least ${min}${unit}` : `between ${min} and ${max}${unit}`;
    ctx.report(ConfigCode.outOfRange, node, path, `must be ${bounds} (got ${v})`);
    return invalid;
  }
  return v;
}

export function boolean(): Decoder<boolean> {
  return (node, path, ctx) => {
    if (!isScalar(node) || typeof node.value !== "boolean") {
      return wrongType(node, path, ctx, "true or false");
    }
    return node.value;
  };
}

/** One of a fixed set of words; a near miss gets a did-you-mean. */
export function oneOf<const T extends string>(values: readonly T[]): Decoder<T> {
  return (node, path, ctx) => {
    const list = values.join(", ");
    if (!isScalar(node) || typeof node.value !== "string") {
      return wrongType(node, path, ctx, `one of ${list}`);
    }
    const v = node.value;
    if ((values as readonly string[]).includes(v)) return v as T;
    const near = didYouMean(v, values);
    ctx.report(
      ConfigCode.notAllowed,
      node,
      path,
      `"${v}" is not one of ${list}`,
      near === null ? null : `did you mean "${near}"?`,
    );
    return invalid;
  };
}

export function list<T>(item: Decoder<T>, opts: { min?: number; what?: string } = {}): Decoder<T[]> {
  const min = opts.min ?? 0;
  return (node, path, ctx) => {
    if (!isSeq(node)) return wrongType(node, path, ctx, "a list");
    if (node.items.length < min) {
      ctx.report(
        ConfigCode.outOfRange,
        node,
        path,
        `needs at least ${min} ${opts.what ?? "item"}${min === 1 ? "" : "s"}`,
      );
      return invalid;
    }
    const out: T[] = [];
    let ok = true;
    node.items.forEach((raw, i) => {
      const child = ctx.deref(raw as Node);
      const v = child === null ? invalid : item(child, [...path, i], ctx);
      if (v === invalid) ok = false;
      else out.push(v);
    });
    return ok ? out : invalid;
  };
}

/** A key of an object: how to decode its value and what happens when it is absent. */
export interface Field<T> {
  readonly key: string;
  readonly decode: Decoder<T>;
  readonly missing:
    | { readonly kind: "required"; readonly hint: string | null }
    | { readonly kind: "value"; readonly value: T };
}

export function required<T>(key: string, decode: Decoder<T>, hint: string | null = null): Field<T> {
  return { key, decode, missing: { kind: "required", hint } };
}

export function withDefault<T>(key: string, decode: Decoder<T>, value: T): Field<T> {
  return { key, decode, missing: { kind: "value", value } };
}

export function optional<T>(key: string, decode: Decoder<T>): Field<T | null> {
  return { key, decode, missing: { kind: "value", value: null } };
}

type FieldsOf<S> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** A mapping with known keys (YAML snake_case → output camelCase, as the spec names them). */
export function object<S extends Record<string, Field<unknown>>>(spec: S): Decoder<FieldsOf<S>> {
  const known = Object.values(spec).map((f) => f.key);
  return (node, path, ctx) => {
    if (!isMap(node)) {
      const empty = isScalar(node) && node.value === null;
      const allOptional = Object.values(spec).every((f) => f.missing.kind === "value");
      return wrongType(
        node,
        path,
        ctx,
        "a mapping",
        empty && allOptional ? "write {} to take every default" : null,
      );
    }
    const present = new Map<string, Node>();
    let ok = true;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      if (keyNode === null || !isScalar(keyNode) || typeof keyNode.value !== "string") {
        if (keyNode !== null) wrongType(keyNode, path, ctx, "a key name");
        ok = false;
        continue;
      }
      const key = keyNode.value;
      if (!known.includes(key)) {
        const near = didYouMean(key, known);
        ctx.report(
          ConfigCode.unknownKey,
          keyNode,
          [...path, key],
          `unknown key "${key}"`,
          near === null ? `known keys here: ${known.join(", ")}` : `did you mean "${near}"?`,
        );
        ok = false;
        continue;
      }
      const value = pair.value === null ? null : ctx.deref(pair.value as Node);
      // `key:` with nothing after it is a null scalar at the key's position.
      present.set(key, value ?? keyNode);
    }
    const out: Record<string, unknown> = {};
    for (const [outKey, field] of Object.entries(spec)) {
      const valueNode = present.get(field.key);
      if (valueNode === undefined) {
        if (field.missing.kind === "value") {
          out[outKey] = field.missing.value;
        } else {
          ctx.report(
            ConfigCode.missingKey,
            firstLineOf(node),
            [...path, field.key],
            `missing required key "${field.key}"`,
            field.missing.hint,
          );
          ok = false;
        }
        continue;
      }
      const v = field.decode(valueNode, [...path, field.key], ctx);
      if (v === invalid) ok = false;
      else out[outKey] = v;
    }
    return ok ? (out as FieldsOf<S>) : invalid;
  };
}

/** Points a "missing key" at the mapping's first key rather than the whole (multi-line) mapping. */
function firstLineOf(node: Node): Node {
  if (isMap(node)) {
    const first = node.items[0];
    if (first !== undefined && isPair(first) && first.key !== null) return first.key as Node;
  }
  return node;
}

/** Post-processes a decoded value with access to its node (cross-field rules, secret lookup). */
export function refine<T, U>(
  decode: Decoder<T>,
  then: (value: T, node: Node, path: Path, ctx: DecodeContext) => Decoded<U>,
): Decoder<U> {
  return (node, path, ctx) => {
    const v = decode(node, path, ctx);
    return v === invalid ? invalid : then(v, node, path, ctx);
  };
}

/** Accepts either of two shapes, chosen by the node's kind (scalar vs mapping/list). */
export function scalarOr<T>(scalar: Decoder<T>, other: Decoder<T>): Decoder<T> {
  return (node, path, ctx) => (isScalar(node) ? scalar(node, path, ctx) : other(node, path, ctx));
}
