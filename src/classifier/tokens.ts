import type { Hint } from "./facts.js";
import type { Keyword } from "./keywords.js";

/** Token kinds (numbers, so the token arrays stay small-integer arrays). */
export const Tok = {
  /** unquoted word: keyword or identifier (`kw` tells which keyword, if any) */
  Word: 1,
  /** `quoted` identifier (backticks, or double quotes under ANSI_QUOTES) */
  QuotedIdent: 2,
  /** string literal, including N'..', X'..', B'..' and _charset'..' */
  String: 3,
  Number: 4,
  /** `?` placeholder */
  Param: 5,
  /** @name, @'name', @`name` */
  UserVar: 6,
  /** @@name, @@session.name, @@global.name */
  SysVar: 7,
  /** operator or punctuation; `op` holds the code (a char code, or one of `Op`) */
  Op: 8,
  Semicolon: 9,
} as const;
export type TokKind = (typeof Tok)[keyof typeof Tok];

/** Codes of multi-character operators (single-character ones use their char code). */
export const Op = {
  Assign: 1001, // :=
  NullSafeEq: 1002, // <=>
  Le: 1003,
  Ge: 1004,
  Ne: 1005, // <> !=
  Or2: 1006, // ||
  And2: 1007, // &&
  Shl: 1008,
  Shr: 1009,
  Arrow: 1010, // ->
  Arrow2: 1011, // ->>
  Dots: 1012, // .. (MariaDB FOR loops)
} as const;

export const OP_TEXT: Readonly<Record<number, string>> = {
  [Op.Assign]: ":=",
  [Op.NullSafeEq]: "<=>",
  [Op.Le]: "<=",
  [Op.Ge]: ">=",
  [Op.Ne]: "<>",
  [Op.Or2]: "||",
  [Op.And2]: "&&",
  [Op.Shl]: "<<",
  [Op.Shr]: ">>",
  [Op.Arrow]: "->",
  [Op.Arrow2]: "->>",
  [Op.Dots]: "..",
};

export const C = {
  lparen: 40,
  rparen: 41,
  comma: 44,
  dot: 46,
  eq: 61,
  minus: 45,
  plus: 43,
  star: 42,
  colon: 58,
} as const;

/** A hint found in a comment; `token` is the index of the token that followed it. */
export interface PlacedHint {
  readonly hint: Hint;
  readonly token: number;
}

/** The token stream of a whole input (all statements). Parallel arrays, one entry per token. */
export interface Tokens {
  readonly sql: string;
  count: number;
  readonly kind: TokKind[];
  readonly start: number[];
  readonly end: number[];
  /** keyword of a Word token, else null */
  readonly kw: (Keyword | null)[];
  /** operator code of an Op token, else 0 */
  readonly op: number[];
  readonly hints: PlacedHint[];
  /** a `/*` comment was never closed or a quote never ended: the text is cut short */
  unterminated: boolean;
}
