/**
 * Finite abstractions of each fact a policy tests. A dimension's values are split into classes
 * such that every predicate of the policy on that fact is constant on each class:
 *   booleans: false / true;  enums: each value the policy names, plus one class for all others;
 *   strings: absent (if optional), each literal named, plus one class per combination of the
 *     patterns' truth values for every other string;
 *   sets: the achievable vectors of "contains …" / "~ …" / "not empty" answers.
 * Exact for booleans, enums and word sets; an over-approximation for patterns (a combination may
 * be impossible in reality), which keeps lint sound: it may miss a shadowed rule, never invent one.
 */
import type { Pattern, Pred } from "../ir.js";
import { patternRegExp } from "../pattern.js";
import { factByName } from "../vocabulary.js";
import { predKey } from "./cond-ops.js";

/** A member of a word set chosen to realise an answer vector. */
export type ElementDesc = { readonly kind: "value"; readonly value: string };

export type ClassValue =
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "enum"; readonly value: string; readonly other: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "other-string"; readonly patternBits: number }
  | { readonly kind: "set"; readonly elements: readonly ElementDesc[] }
  /** one test on a string set (tables, functions, …): holds or not */
  | { readonly kind: "set-bit"; readonly value: boolean };

/** Serialisable description of a dimension: what the runtime needs to classify a value. */
export type DimData =
  | { readonly kind: "bool"; readonly dim: string }
  | {
      readonly kind: "enum";
      readonly dim: string;
      readonly values: readonly string[];
      readonly otherClass: number;
    }
  | {
      readonly kind: "string";
      readonly dim: string;
      readonly optional: boolean;
      readonly literals: readonly string[];
      readonly patterns: readonly Pattern[];
    }
  | {
      readonly kind: "set";
      readonly dim: string;
      readonly element: "enum";
      readonly preds: readonly Pred[];
      /** class i is the set of answers `classVectors[i]` (bit j = preds[j] holds) */
      readonly classVectors: readonly number[];
    }
  /** string sets get one yes/no dimension per test: their subsets are too many to enumerate */
  | { readonly kind: "set-pred"; readonly dim: string; readonly pred: Pred };

export interface Dimension {
  readonly id: string;
  readonly data: DimData;
  readonly preds: readonly Pred[];
  readonly predIndex: ReadonlyMap<string, number>;
  /** truth[p][c]: does predicate p hold on class c */
  readonly truth: readonly (readonly boolean[])[];
  readonly classes: readonly ClassValue[];
  /** patterns whose truth is abstracted (witnesses through them are "may") */
  readonly approximate: boolean;
}

const MAX_PATTERNS = 10;

/**
 * The dimension a predicate belongs to: its fact, except for string sets, where each distinct
 * test is its own yes/no dimension (tested independently, an over-approximation).
 */
const dimIds = new WeakMap<Pred, string>();
export function dimIdOf(pred: Pred): string {
  let id = dimIds.get(pred);
  if (id === undefined) {
    id = isStringSet(pred.dim) ? `${pred.dim} ${predKey(pred)}` : pred.dim;
    dimIds.set(pred, id);
  }
  return id;
}

function isStringSet(dim: string): boolean {
  return factType(dim).kind === "string-set";
}

export function buildDimensions(preds: readonly Pred[]): Map<string, Dimension> {
  const byDim = new Map<string, Pred[]>();
  const seen = new Set<string>();
  for (const p of preds) {
    const key = predKey(p);
    if (seen.has(key)) continue;
    seen.add(key);
    const id = dimIdOf(p);
    const list = byDim.get(id) ?? [];
    list.push(p);
    byDim.set(id, list);
  }
  const dims = new Map<string, Dimension>();
  for (const [id, list] of [...byDim].sort((a, b) => a[0].localeCompare(b[0])))
    dims.set(id, buildDimension(id, list));
  return dims;
}

function factType(dim: string) {
  const def = factByName(dim.startsWith("hint.") ? "hint" : dim);
  if (!def) throw new Error(`unknown dimension ${dim}`);
  return def.type;
}

function finish(
  id: string,
  data: DimData,
  preds: readonly Pred[],
  classes: ClassValue[],
  holds: (p: Pred, c: ClassValue) => boolean,
  approximate: boolean,
): Dimension {
  const predIndex = new Map(preds.map((p, i) => [predKey(p), i]));
  const truth = preds.map((p) => classes.map((c) => holds(p, c)));
  return { id, data, preds, predIndex, truth, classes, approximate };
}

function buildDimension(id: string, preds: readonly Pred[]): Dimension {
  const first = preds[0]!;
  const type = factType(first.dim);
  switch (type.kind) {
    case "bool": {
      const classes: ClassValue[] = [
        { kind: "bool", value: false },
        { kind: "bool", value: true },
      ];
      return finish(
        id,
        { kind: "bool", dim: id },
        preds,
        classes,
        (_p, c) => c.kind === "bool" && c.value,
        false,
      );
    }
    case "enum": {
      const mentioned = new Set(preds.flatMap((p) => (p.kind === "enum-in" ? p.values : [])));
      const values = type.values.filter((v) => mentioned.has(v));
      const other = type.values.find((v) => !mentioned.has(v));
      const classes: ClassValue[] = values.map((value) => ({ kind: "enum", value, other: false }));
      if (other !== undefined) classes.push({ kind: "enum", value: other, other: true });
      const data: DimData = {
        kind: "enum",
        dim: id,
        values,
        otherClass: other === undefined ? -1 : values.length,
      };
      return finish(
        id,
        data,
        preds,
        classes,
        (p, c) => p.kind === "enum-in" && c.kind === "enum" && !c.other && p.values.includes(c.value),
        false,
      );
    }
    case "string":
      return buildString(id, preds, type.optional);
    case "enum-set":
      return buildSet(id, preds, type.values);
    case "string-set": {
      const classes: ClassValue[] = [
        { kind: "set-bit", value: false },
        { kind: "set-bit", value: true },
      ];
      const data: DimData = { kind: "set-pred", dim: first.dim, pred: first };
      return finish(
        id,
        data,
        preds,
        classes,
        (_p, c) => c.kind === "set-bit" && c.value,
        first.kind !== "set-has",
      );
    }
  }
}

function distinctPatterns(preds: readonly Pred[]): Pattern[] {
  const out = new Map<string, Pattern>();
  for (const p of preds)
    if (p.kind === "str-match" || p.kind === "set-match") out.set(JSON.stringify(p.pattern), p.pattern);
  const list = [...out.values()];
  if (list.length > MAX_PATTERNS) throw new Error(`more than ${MAX_PATTERNS} patterns on one fact`);
  return list;
}

function patternIndex(patterns: readonly Pattern[], pattern: Pattern): number {
  const key = JSON.stringify(pattern);
  return patterns.findIndex((p) => JSON.stringify(p) === key);
}

function buildString(id: string, preds: readonly Pred[], optional: boolean): Dimension {
  const literals = [...new Set(preds.flatMap((p) => (p.kind === "str-in" ? p.values : [])))];
  const patterns = distinctPatterns(preds);
  const regexes = patterns.map(patternRegExp);
  const classes: ClassValue[] = [];
  if (optional) classes.push({ kind: "null" });
  for (const value of literals) classes.push({ kind: "literal", value });
  for (let bits = 0; bits < 1 << patterns.length; bits++)
    classes.push({ kind: "other-string", patternBits: bits });
  const holds = (p: Pred, c: ClassValue): boolean => {
    if (c.kind === "null") return false;
    if (p.kind === "str-present") return true;
    if (p.kind === "str-in") return c.kind === "literal" && p.values.includes(c.value);
    if (p.kind === "str-match") {
      const j = patternIndex(patterns, p.pattern);
      if (c.kind === "literal") return regexes[j]!.test(c.value);
      return c.kind === "other-string" && (c.patternBits & (1 << j)) !== 0;
    }
    return false;
  };
  const data: DimData = { kind: "string", dim: id, optional, literals, patterns };
  return finish(id, data, preds, classes, holds, patterns.length > 0);
}

interface Element {
  readonly desc: ElementDesc;
  readonly vector: number;
}

function buildSet(id: string, preds: readonly Pred[], domain: readonly string[]): Dimension {
  const nonempty = preds.reduce((bits, p, j) => (p.kind === "set-nonempty" ? bits | (1 << j) : bits), 0);
  const literals = new Set(preds.flatMap((p) => (p.kind === "set-has" ? p.values : [])));
  const hasBits = (v: string): number =>
    preds.reduce((bits, p, j) => (p.kind === "set-has" && p.values.includes(v) ? bits | (1 << j) : bits), 0);
  const elements: Element[] = domain
    .filter((d) => literals.has(d))
    .map((v) => ({ desc: { kind: "value", value: v }, vector: nonempty | hasBits(v) }));
  const other = domain.find((d) => !literals.has(d));
  if (other !== undefined) elements.push({ desc: { kind: "value", value: other }, vector: nonempty });
  // Closure under union, starting from the empty set: exactly the achievable answer vectors.
  const states = new Map<number, ElementDesc[]>([[0, []]]);
  const queue = [0];
  while (queue.length > 0) {
    const s = queue.shift()!;
    const members = states.get(s)!;
    for (const e of elements) {
      const v = s | e.vector;
      if (!states.has(v)) {
        states.set(v, [...members, e.desc]);
        queue.push(v);
      }
    }
  }
  const classVectors = [...states.keys()];
  const classes: ClassValue[] = classVectors.map((v) => ({ kind: "set", elements: states.get(v)! }));
  const data: DimData = { kind: "set", dim: id, element: "enum", preds, classVectors };
  const vectorOf = new Map(classes.map((c, i) => [c, classVectors[i]!]));
  const holds = (p: Pred, c: ClassValue): boolean => ((vectorOf.get(c) ?? 0) & (1 << preds.indexOf(p))) !== 0;
  return finish(id, data, preds, classes, holds, false);
}

/** Value of a predicate on class `c` of its dimension. */
export function predHolds(dim: Dimension, pred: Pred, c: number): boolean {
  const i = dim.predIndex.get(predKey(pred));
  if (i === undefined) throw new Error(`predicate not in dimension ${dim.id}`);
  return dim.truth[i]![c]!;
}
