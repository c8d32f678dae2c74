/**
 * Token types of the policy language (chevrotain). Hard keywords can never be names; soft
 * keywords (stay-free words such as `tag`, `log`, `digest`, `to`) carry the Identifier category,
 * so they still work as fact names (`digest = "…"`) and pool names where a name is expected.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Identifier = createToken({
  name: "Identifier",
  label: "a name",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
});

function hard(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `'${word}'`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
  });
}
function soft(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `'${word}'`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Identifier],
  });
}

export const Version = hard("version");
export const Import = hard("import");
export const Pool = hard("pool");
export const Rule = hard("rule");
export const When = hard("when");
export const Default = hard("default");
export const And = hard("and");
export const Or = hard("or");
export const Not = hard("not");
export const In = hard("in");
export const Contains = hard("contains");
export const True = hard("true");
export const False = hard("false");
export const Null = hard("null");
export const Route = hard("route");
export const Deny = hard("deny");
export const Rewrite = hard("rewrite");
export const Respond = hard("respond");

export const Code = soft("code");
export const Sqlstate = soft("sqlstate");
export const Digest = soft("digest");
export const To = soft("to");
export const Then = soft("then");
export const Columns = soft("columns");
export const Row = soft("row");
export const Expand = soft("expand");
export const Tag = soft("tag");
export const Log = soft("log");
export const Weight = soft("weight");
export const Timeout = soft("timeout");

export const Duration = createToken({
  name: "Duration",
  label: "a duration (e.g. 2s)",
  pattern: /\d+(?:ms|s|m|h)(?![A-Za-z0-9_])/,
});
export const NumberTok = createToken({ name: "Number", label: "a number", pattern: /\d+(?:\.\d+)?/ });
export const StringTok = createToken({ name: "String", label: "a string", pattern: /"(?:[^"\\\n]|\\.)*"/ });
/** Lexed so the lexer can say "unterminated string" instead of "unexpected character". */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  label: "an unterminated string",
  pattern: /"(?:[^"\\\n]|\\.)*/,
});
export const RegexTok = createToken({
  name: "Regex",
  label: "a regular expression",
  pattern: /\/(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+\/[A-Za-z]*/,
});
export const Arrow = createToken({ name: "Arrow", label: "'->'", pattern: /->/ });
export const NotEq = createToken({ name: "NotEq", label: "'!='", pattern: /!=/ });
export const Eq = createToken({ name: "Eq", label: "'='", pattern: /=/ });
export const Tilde = createToken({ name: "Tilde", label: "'~'", pattern: /~/ });
export const LBrace = createToken({ name: "LBrace", label: "'{'", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", label: "'}'", pattern: /\}/ });
export const LBracket = createToken({ name: "LBracket", label: "'['", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", label: "']'", pattern: /\]/ });
export const LParen = createToken({ name: "LParen", label: "'('", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", label: "')'", pattern: /\)/ });
export const Comma = createToken({ name: "Comma", label: "','", pattern: /,/ });
export const Dot = createToken({ name: "Dot", label: "'.'", pattern: /\./ });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });

export const HARD_KEYWORDS = [
  Version,
  Import,
  Pool,
  Rule,
  When,
  Default,
  And,
  Or,
  Not,
  In,
  Contains,
  True,
  False,
  Null,
  Route,
  Deny,
  Rewrite,
  Respond,
];
export const SOFT_KEYWORDS = [
  Code,
  Sqlstate,
  Digest,
  To,
  Then,
  Columns,
  Row,
  Expand,
  Tag,
  Log,
  Weight,
  Timeout,
];

/** Order matters: longer and more specific patterns first. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Duration,
  NumberTok,
  StringTok,
  UnterminatedString,
  RegexTok,
  Arrow,
  NotEq,
  Eq,
  Tilde,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Dot,
  ...HARD_KEYWORDS,
  ...SOFT_KEYWORDS,
  Identifier,
];

/** Words that can never name a pool or a rule. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "version",
  "import",
  "pool",
  "rule",
  "when",
  "default",
  "and",
  "or",
  "not",
  "in",
  "contains",
  "true",
  "false",
  "null",
  "route",
  "deny",
  "rewrite",
  "respond",
]);
