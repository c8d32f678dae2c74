/**
 * Stage 2: tokens → concrete syntax tree (chevrotain CstParser, with error recovery so one run
 * reports every syntax error of a file). grammar/policy.ebnf is generated from this grammar's
 * productions (see syntax/ebnf.ts) and a test keeps the two in step.
 */
import { CstParser, type IParserErrorMessageProvider, type TokenType } from "chevrotain";
import * as T from "./tokens.js";

const label = (t: TokenType): string => t.LABEL ?? t.name;

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${label(expected)} but found ${describe(actual.image)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant.image)}: expected 'pool', 'rule', 'default' or 'import'`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const firsts = new Set<string>();
    for (const paths of expectedPathsPerAlt)
      for (const path of paths) if (path[0]) firsts.add(label(path[0]));
    return `expected ${[...firsts].join(", ")} ${context(ruleName)} but found ${describe(actual[0]?.image)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = expectedIterationPaths.map((p) => (p[0] ? label(p[0]) : "?"));
    return `expected at least one ${firsts.join(" or ")} ${context(ruleName)} but found ${describe(actual[0]?.image)}`;
  },
};

const CONTEXTS: Record<string, string> = {
  notExpr: "to start a condition",
  primary: "to start a condition",
  comparison: "after the fact",
  value: "as a value",
  action: "to start an action",
  item: "to start a declaration",
  propertyValue: "as a pool property value",
  rewriteAction: "after 'rewrite'",
  respondAction: "after 'respond'",
  cell: "as a row value",
  modifier: "as an action modifier",
  factRef: "after '.'",
};

function context(ruleName: string): string {
  return CONTEXTS[ruleName] ?? `in ${ruleName}`;
}

function describe(image: string | undefined): string {
  return image === undefined || image === "" ? "the end of the file" : `'${image}'`;
}

export class PolicyParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  policy = this.RULE("policy", () => {
    this.OPTION(() => this.SUBRULE(this.versionDecl));
    this.MANY(() => this.SUBRULE(this.item));
  });

  versionDecl = this.RULE("versionDecl", () => {
    this.CONSUME(T.Version);
    this.CONSUME(T.NumberTok);
  });

  item = this.RULE("item", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.poolDecl) },
      { ALT: () => this.SUBRULE(this.ruleDecl) },
      { ALT: () => this.SUBRULE(this.defaultDecl) },
    ]);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringTok);
  });

  poolDecl = this.RULE("poolDecl", () => {
    this.CONSUME(T.Pool);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.poolProperty));
    this.CONSUME(T.RBrace);
  });

  poolProperty = this.RULE("poolProperty", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.propertyValue);
  });

  propertyValue = this.RULE("propertyValue", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.StringTok);
          this.OPTION(() => {
            this.CONSUME(T.Weight);
            this.CONSUME(T.NumberTok);
          });
        },
      },
      { ALT: () => this.CONSUME1(T.NumberTok) },
      { ALT: () => this.CONSUME(T.Duration) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION1(() => this.CONSUME1(T.Duration));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.propertyValue) });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(T.Rule);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.When);
    this.SUBRULE(this.orExpr);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.action);
  });

  defaultDecl = this.RULE("defaultDecl", () => {
    this.CONSUME(T.Default);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.action);
  });

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE1(this.andExpr);
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE1(this.notExpr);
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.orExpr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.factRef);
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Eq);
            this.SUBRULE(this.value);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.NotEq);
            this.SUBRULE1(this.value);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.SUBRULE(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Not);
            this.CONSUME1(T.In);
            this.SUBRULE1(this.list);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Contains);
            this.OR1([{ ALT: () => this.SUBRULE2(this.value) }, { ALT: () => this.SUBRULE2(this.list) }]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.OR2([{ ALT: () => this.CONSUME(T.StringTok) }, { ALT: () => this.CONSUME(T.RegexTok) }]);
          },
        },
      ]);
    });
  });

  factRef = this.RULE("factRef", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      // hint keys may be words that are keywords elsewhere (`hint.route`, `hint.pool`)
      this.OR([
        { ALT: () => this.CONSUME1(T.Identifier) },
        { ALT: () => this.CONSUME(T.Route) },
        { ALT: () => this.CONSUME(T.Pool) },
        { ALT: () => this.CONSUME(T.Default) },
      ]);
    });
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringTok) },
      { ALT: () => this.CONSUME(T.NumberTok) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
    ]);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.value) });
    this.CONSUME(T.RBracket);
  });

  action = this.RULE("action", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.routeAction) },
      { ALT: () => this.SUBRULE(this.denyAction) },
      { ALT: () => this.SUBRULE(this.rewriteAction) },
      { ALT: () => this.SUBRULE(this.respondAction) },
    ]);
    this.MANY(() => this.SUBRULE(this.modifier));
  });

  routeAction = this.RULE("routeAction", () => {
    this.CONSUME(T.Route);
    this.CONSUME(T.Identifier);
  });

  denyAction = this.RULE("denyAction", () => {
    this.CONSUME(T.Deny);
    this.CONSUME(T.StringTok);
    this.OPTION(() => {
      this.CONSUME(T.Code);
      this.CONSUME(T.NumberTok);
    });
    this.OPTION1(() => {
      this.CONSUME(T.Sqlstate);
      this.CONSUME1(T.StringTok);
    });
  });

  rewriteAction = this.RULE("rewriteAction", () => {
    this.CONSUME(T.Rewrite);
    this.OR([
      { ALT: () => this.CONSUME(T.RegexTok) },
      {
        ALT: () => {
          this.CONSUME(T.Digest);
          this.CONSUME(T.StringTok);
        },
      },
    ]);
    this.CONSUME(T.To);
    this.CONSUME1(T.StringTok);
    this.SUBRULE(this.thenRoute);
  });

  thenRoute = this.RULE("thenRoute", () => {
    this.CONSUME(T.Then);
    this.CONSUME(T.Route);
    this.CONSUME(T.Identifier);
  });

  respondAction = this.RULE("respondAction", () => {
    this.CONSUME(T.Respond);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Columns);
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringTok) });
          this.CONSUME(T.RParen);
          this.MANY(() => this.SUBRULE(this.respondRow));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Expand);
          this.CONSUME1(T.StringTok);
          this.SUBRULE(this.thenRoute);
        },
      },
    ]);
  });

  respondRow = this.RULE("respondRow", () => {
    this.CONSUME(T.Row);
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.cell) });
    this.CONSUME(T.RParen);
  });

  cell = this.RULE("cell", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringTok) },
      { ALT: () => this.CONSUME(T.NumberTok) },
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  modifier = this.RULE("modifier", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Tag);
          this.CONSUME(T.StringTok);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Log);
          this.OPTION(() => this.CONSUME1(T.StringTok));
        },
      },
      {
        // `none` and unit-less numbers parse so the checker can explain them (SLU215)
        ALT: () => {
          this.CONSUME(T.Timeout);
          this.OR1([
            { ALT: () => this.CONSUME(T.Duration) },
            { ALT: () => this.CONSUME(T.NumberTok) },
            { ALT: () => this.CONSUME(T.Identifier) },
          ]);
        },
      },
    ]);
  });
}

/** One shared instance: chevrotain parsers are reusable (set `input`, call a rule). */
export const parser = new PolicyParser();
