/**
 * Prints the parser's grammar (chevrotain's GAST productions) as EBNF. grammar/policy.ebnf is
 * this output; a test regenerates it and compares, so the documented grammar is the parsed one.
 */
import {
  Alternation,
  Alternative,
  type IProduction,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
  type TokenType,
} from "chevrotain";
import { parser } from "./parser.js";
import {
  ALL_TOKENS,
  Comment,
  HARD_KEYWORDS,
  SOFT_KEYWORDS,
  UnterminatedString,
  WhiteSpace,
} from "./tokens.js";

const KEYWORDS = new Set<TokenType>([...HARD_KEYWORDS, ...SOFT_KEYWORDS]);

function terminal(t: TokenType): string {
  if (KEYWORDS.has(t)) return `"${String(t.PATTERN).replace(/^\/|\/$/g, "")}"`;
  const label = t.LABEL ?? t.name;
  if (label.startsWith("'")) return `"${label.slice(1, -1)}"`;
  return t.name.toUpperCase();
}

function seq(defs: readonly IProduction[]): string {
  return defs.map(prod).join(" ");
}

function prod(p: IProduction): string {
  if (p instanceof Terminal) return terminal(p.terminalType);
  if (p instanceof NonTerminal) return p.nonTerminalName;
  if (p instanceof Option) return `[ ${seq(p.definition)} ]`;
  if (p instanceof Repetition) return `{ ${seq(p.definition)} }`;
  if (p instanceof RepetitionMandatory) return `${group(p.definition)} { ${seq(p.definition)} }`;
  if (p instanceof RepetitionWithSeparator) {
    const body = seq(p.definition);
    return `[ ${body} { ${terminal(p.separator)} ${body} } ]`;
  }
  if (p instanceof RepetitionMandatoryWithSeparator) {
    const body = seq(p.definition);
    return `${group(p.definition)} { ${terminal(p.separator)} ${body} }`;
  }
  if (p instanceof Alternation)
    return `( ${p.definition.map((a) => seq((a as Alternative).definition)).join(" | ")} )`;
  if (p instanceof Alternative) return seq(p.definition);
  throw new Error("unknown production");
}

function group(defs: readonly IProduction[]): string {
  return defs.length === 1 ? prod(defs[0]!) : `( ${seq(defs)} )`;
}

export function grammarEbnf(): string {
  const rules = parser.getGAstProductions();
  const lines = [
    "(* The Sluice policy language, generated from src/policy/syntax/parser.ts by src/policy/syntax/ebnf.ts.",
    "   Do not edit by hand: test/policy/grammar-docs.test.ts compares this file with the parser. *)",
    "",
  ];
  for (const [name, rule] of Object.entries(rules)) {
    const body =
      rule.definition.length === 1 && rule.definition[0] instanceof Alternation
        ? rule.definition[0].definition.map((a) => seq((a as Alternative).definition)).join("\n  | ")
        : seq(rule.definition);
    lines.push(`${name} =\n    ${body.replace(/\n {2}\|/g, "\n  |")} ;`, "");
  }
  lines.push("(* tokens *)");
  for (const t of ALL_TOKENS) {
    if (KEYWORDS.has(t) || t === WhiteSpace || t === UnterminatedString) continue;
    const label = t.LABEL ?? t.name;
    if (label.startsWith("'")) continue;
    lines.push(
      `${t.name.toUpperCase()} = ? ${String(t.PATTERN)} ? ;${t === Comment ? "  (* ignored, kept by fmt *)" : ""}`,
    );
  }
  lines.push("(* whitespace ( \\t\\r\\n) separates tokens and is otherwise ignored *)", "");
  return lines.join("\n");
}
