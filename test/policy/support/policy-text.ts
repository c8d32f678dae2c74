/** Random but valid policy source text, laid out messily (random spacing, parens, comments). */
import fc from "fast-check";

const ATOMS = [
  "writes",
  "not writes",
  "in_transaction",
  "kind = select",
  "kind != insert",
  "kind in [insert, update, delete]",
  "family not in [ddl]",
  "locking = none",
  "same_connection",
  "same_connection contains found_rows",
  "same_connection contains [warnings, errors]",
  'user = "report"',
  'user in ["a", "b"]',
  'user ~ "rep*"',
  "digest ~ /^ls$/i",
  'tables contains "shop.orders"',
  'tables ~ "tenant_*.*"',
  'hint.route = "primary"',
  "hint.route",
  "schema = null",
  "true",
  "false",
];

const ACTIONS = [
  "route primary",
  "route stay",
  "route replicas",
  'deny "maintenance" code 1290 sqlstate "HY000"',
  'deny "no"',
  'route primary tag "x" log',
  'route replicas log "why"',
  'respond expand "SHOW TABLES" then route replicas',
  'respond columns ("a", "b") row ("x", 1) row (user, null)',
  'rewrite /SELECT \\*/i to "SELECT id" then route primary',
  'rewrite digest "SELECT ?" to "SELECT 1" then route primary',
  "route replicas timeout 500ms",
  'route primary timeout none tag "t"',
  'respond expand "SHOW TABLES" then route replicas timeout 2s log',
];

const space = fc.constantFrom(" ", "  ", "\n  ", "\n", " \t");
const comment = fc.constantFrom("# a comment", "# another, with -> symbols", "#");

export const conditionText: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    tie("c").map((c) => `(${c})`),
    tie("c").map((c) => `not (${c})`),
    fc
      .tuple(tie("c"), fc.constantFrom(" and ", " or ", "\n    or ", " and\n  "), tie("c"))
      .map(([a, op, b]) => `${a}${op}${b}`),
  ),
})).c;

const maybeComment = fc.option(comment, { nil: undefined }).map((c) => (c === undefined ? "" : `${c}\n`));
const trailing = fc.option(comment, { nil: undefined }).map((c) => (c === undefined ? "" : `  ${c}`));

export const policyText: fc.Arbitrary<string> = fc
  .record({
    header: maybeComment,
    rules: fc.array(
      fc.tuple(maybeComment, conditionText, fc.constantFrom(...ACTIONS), space, space, trailing),
      { maxLength: 6 },
    ),
    tail: maybeComment,
    poolComment: maybeComment,
    blank: fc.constantFrom("\n", "\n\n", "\n\n\n"),
  })
  .map(({ header, rules, tail, poolComment, blank }) => {
    const pools = `pool primary {${blank}  role = primary  # main\n}\n${poolComment}pool replicas { role = replica max_lag = 2s fallback = primary statement_timeout = 30s }\n`;
    const body = rules
      .map(([c, cond, action, s1, s2, t], i) => `${c}rule r${i}${s1}when ${cond}${s2}-> ${action}${t}\n`)
      .join(blank);
    return `${header}version 1${blank}${pools}${blank}${body}${tail}default -> route primary\n`;
  });
