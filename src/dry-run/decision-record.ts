/** One line of `--output decisions.jsonl`: a statement and what the policy did with it. Pure. */
import type { Outcome } from "./decider.js";
import type { StatementRecord } from "./simulate.js";

export interface DecisionLine {
  readonly file: string;
  readonly line: number;
  readonly thread: string;
  readonly command: "query" | "execute";
  readonly sql: string;
  readonly action: Outcome["action"];
  readonly target: string | null;
  readonly role: Outcome["role"];
  readonly server: string | null;
  readonly rule: string;
  readonly stay: Outcome["stay"];
  readonly overridden: boolean;
  readonly tags?: readonly string[];
  readonly kind: string;
  readonly writes: boolean;
  readonly digest: string;
  readonly in_transaction: boolean;
  readonly schema: string | null;
  readonly user: string;
  /** with --diff: what the other policy did */
  readonly other?: {
    readonly action: string;
    readonly target: string | null;
    readonly role: string | null;
    readonly rule: string;
  };
}

export function decisionLine(file: string, r: StatementRecord): DecisionLine {
  const o = r.outcomes[0]!;
  const other = r.outcomes[1];
  return {
    file,
    line: r.line,
    thread: r.thread,
    command: r.command,
    sql: r.sql,
    action: o.action,
    target: o.target,
    role: o.role,
    server: o.server,
    rule: o.rule,
    stay: o.stay,
    overridden: o.overridden,
    ...(o.tags.length > 0 ? { tags: o.tags } : {}),
    kind: r.facts.kind,
    writes: r.facts.writes,
    digest: r.facts.digest,
    in_transaction: r.session.inTransaction,
    schema: r.session.schema,
    user: r.session.user,
    ...(other === undefined
      ? {}
      : { other: { action: other.action, target: other.target, role: other.role, rule: other.rule } }),
  };
}
