/**
 * The syntax tree of one `.policy` file, as written (before name resolution and type checking).
 * Every node carries a span so diagnostics can point at it; `stripSpans` removes them for
 * comparing trees (parse(fmt(p)) ≡ p).
 */

export interface Span {
  readonly file: string;
  /** character offsets into the file's text, end exclusive */
  readonly start: number;
  readonly end: number;
  /** 1-based */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Name {
  readonly text: string;
  readonly span: Span;
}

export interface StringLit {
  readonly kind: "string";
  readonly value: string;
  readonly span: Span;
}
export interface NumberLit {
  readonly kind: "number";
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}
export interface WordLit {
  readonly kind: "word";
  readonly value: string;
  readonly span: Span;
}
export interface BoolLit {
  readonly kind: "bool";
  readonly value: boolean;
  readonly span: Span;
}
export interface NullLit {
  readonly kind: "null";
  readonly span: Span;
}
export type Value = StringLit | NumberLit | WordLit | BoolLit | NullLit;

export interface ListLit {
  readonly kind: "list";
  readonly items: readonly Value[];
  readonly span: Span;
}
export interface RegexLit {
  readonly kind: "regex";
  readonly source: string;
  readonly flags: string;
  readonly span: Span;
}
/** a glob is written as a string after `~` */
export type PatternLit = StringLit | RegexLit;

export interface FactRef {
  readonly name: string;
  /** the key of `hint.<key>` */
  readonly key: string | null;
  readonly span: Span;
}

export type CompareOp = "=" | "!=" | "in" | "not in" | "contains" | "~";

export type Expr =
  | { readonly kind: "or"; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly kind: "and"; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly kind: "not"; readonly arg: Expr; readonly span: Span }
  | { readonly kind: "const"; readonly value: boolean; readonly span: Span }
  /** op null: the bare fact (`writes`, `same_connection`, `hint.route`) */
  | {
      readonly kind: "compare";
      readonly fact: FactRef;
      readonly op: CompareOp | null;
      readonly operand: Value | ListLit | RegexLit | null;
      readonly span: Span;
    };

export interface Duration {
  readonly ms: number;
  readonly text: string;
  readonly span: Span;
}

export type PropValue =
  | (StringLit & { readonly weight: NumberLit | null })
  | NumberLit
  | { readonly kind: "duration"; readonly duration: Duration; readonly span: Span }
  | { readonly kind: "word"; readonly value: string; readonly duration: Duration | null; readonly span: Span }
  | { readonly kind: "prop-list"; readonly items: readonly PropValue[]; readonly span: Span };

export interface PoolProperty {
  readonly name: Name;
  readonly value: PropValue;
  readonly span: Span;
}

export type RespondCell = StringLit | NumberLit | NullLit | WordLit;

export type BaseActionNode =
  | { readonly kind: "route"; readonly target: Name; readonly span: Span }
  | {
      readonly kind: "deny";
      readonly message: StringLit;
      readonly code: NumberLit | null;
      readonly sqlstate: StringLit | null;
      readonly span: Span;
    }
  | {
      readonly kind: "rewrite";
      readonly from:
        | RegexLit
        | { readonly kind: "digest"; readonly template: StringLit; readonly span: Span };
      readonly to: StringLit;
      readonly target: Name;
      readonly span: Span;
    }
  | {
      readonly kind: "respond-rows";
      readonly columns: readonly StringLit[];
      readonly rows: readonly (readonly RespondCell[])[];
      readonly span: Span;
    }
  | { readonly kind: "respond-expand"; readonly sql: StringLit; readonly target: Name; readonly span: Span };

/** What follows `timeout`: a duration, or (for the checker to explain) a bare number or a word */
export type TimeoutValue =
  | { readonly kind: "duration"; readonly duration: Duration; readonly span: Span }
  | NumberLit
  | WordLit;

export type ModifierNode =
  | { readonly kind: "tag"; readonly value: StringLit; readonly span: Span }
  | { readonly kind: "log"; readonly message: StringLit | null; readonly span: Span }
  | { readonly kind: "timeout"; readonly value: TimeoutValue; readonly span: Span };

export interface ActionNode {
  readonly base: BaseActionNode;
  readonly modifiers: readonly ModifierNode[];
  readonly span: Span;
}

export type Item =
  | { readonly kind: "import"; readonly path: StringLit; readonly span: Span }
  | {
      readonly kind: "pool";
      readonly name: Name;
      readonly properties: readonly PoolProperty[];
      readonly span: Span;
    }
  | {
      readonly kind: "rule";
      readonly name: Name;
      readonly condition: Expr;
      readonly action: ActionNode;
      readonly span: Span;
    }
  | { readonly kind: "default"; readonly action: ActionNode; readonly span: Span };

export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export interface PolicyFile {
  readonly path: string;
  readonly version: NumberLit | null;
  readonly items: readonly Item[];
  readonly comments: readonly Comment[];
}

/** A deep copy without `span` fields, for comparing trees by meaning. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "span" || k === "comments") continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return value;
}
