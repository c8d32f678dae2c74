/**
 * Aggregates statement records into the dry-run summary: per pool and per rule counts and
 * shares, the share of reads offloaded to replicas, safety counts (statements the policy sends to
 * a replica although they write, lock, run inside a read-write transaction or need the previous
 * statement's connection), denied / rewritten / answered / unparsed statements, top digests per
 * pool, and with a second policy the routing changes per digest. Pure; memory grows with the
 * number of distinct digests, not with the number of statements.
 */
import type { Outcome, PoolRole } from "./decider.js";
import type { StatementRecord } from "./simulate.js";
import { TopCounter } from "./top-counter.js";

export interface PolicyInfo {
  readonly file: string;
  readonly hash: string;
  readonly pools: readonly { readonly name: string; readonly role: PoolRole }[];
  readonly rules: readonly string[];
}

export interface InputInfo {
  readonly path: string;
  readonly format: string;
  /** first and last timestamps in the log, as the log prints them */
  readonly timeRange?: { readonly first: string; readonly last: string };
}

export interface DigestCount {
  readonly digest: string;
  readonly count: number;
  readonly example: string;
}

export interface Safety {
  readonly writesToReplica: number;
  readonly lockingToReplica: number;
  readonly transactionToReplica: number;
  readonly sameConnectionToReplica: number;
  /** writes the policy sent to a replica pool that routing moved to the primary */
  readonly overridden: number;
  /** statements routing had to reject: a write in a transaction the policy let start on a replica */
  readonly refused: number;
}

export interface DiffSummary {
  readonly against: PolicyInfo;
  /** statements whose target (pool, or deny/respond/unavailable) differs */
  readonly changed: number;
  readonly matrix: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly digests: readonly (DigestCount & { readonly from: string; readonly to: string })[];
}

export interface Summary {
  readonly policy: PolicyInfo;
  readonly inputs: readonly InputInfo[];
  readonly sessions: number;
  readonly sessionsWithoutConnect: number;
  readonly statements: number;
  readonly executes: number;
  readonly prepares: number;
  readonly invalidLines: number;
  readonly unparsed: number;
  readonly partiallyParsed: number;
  readonly reads: number;
  readonly readsToReplicas: number;
  readonly readShareToReplicas: number;
  readonly denied: number;
  readonly rewritten: number;
  readonly responded: number;
  readonly unavailable: number;
  readonly safety: Safety;
  readonly pools: readonly {
    readonly pool: string;
    readonly role: PoolRole | null;
    readonly count: number;
    readonly share: number;
    readonly topDigests: readonly DigestCount[];
  }[];
  readonly rules: readonly {
    readonly rule: string;
    readonly count: number;
    readonly share: number;
    /** the statements that hit it most, with an example each */
    readonly topDigests: readonly DigestCount[];
  }[];
  readonly diff: DiffSummary | null;
}

/** How a statement's outcome is named in pool tables and the diff matrix. */
export function targetLabel(o: Outcome): string {
  if (o.target !== null) return o.target;
  return `(${o.action})`;
}

export class ReportBuilder {
  private statements = 0;
  private executes = 0;
  private unparsed = 0;
  private partial = 0;
  private reads = 0;
  private readsToReplicas = 0;
  private denied = 0;
  private rewritten = 0;
  private responded = 0;
  private unavailable = 0;
  private safety = {
    writesToReplica: 0,
    lockingToReplica: 0,
    transactionToReplica: 0,
    sameConnectionToReplica: 0,
    overridden: 0,
    refused: 0,
  };
  private readonly pools = new Map<string, { role: PoolRole | null; count: number; digests: TopCounter }>();
  private readonly rules = new Map<string, { count: number; digests: TopCounter }>();
  private changed = 0;
  private readonly matrix = new Map<string, number>();
  private readonly changedDigests = new TopCounter();

  constructor(
    private readonly policy: PolicyInfo,
    private readonly against: PolicyInfo | null = null,
  ) {
    for (const r of [...policy.rules, "default"]) this.rules.set(r, { count: 0, digests: new TopCounter() });
  }

  add(record: StatementRecord): void {
    const { facts } = record;
    const o = record.outcomes[0]!;
    this.statements++;
    if (record.command === "execute") this.executes++;
    if (facts.parse === "unknown") this.unparsed++;
    else if (facts.parse === "partial") this.partial++;
    const toReplica = o.role === "replica";
    if (!facts.writes && facts.family === "read") {
      this.reads++;
      if (o.serverRole === "replica") this.readsToReplicas++;
    }
    if (o.action === "deny") this.denied++;
    else if (o.action === "refused") this.safety.refused++;
    else if (o.action === "rewrite") this.rewritten++;
    else if (o.action === "respond") this.responded++;
    else if (o.action === "unavailable") this.unavailable++;
    if (toReplica) {
      const s = this.safety;
      if (facts.writes) s.writesToReplica++;
      if (facts.locking !== "none") s.lockingToReplica++;
      if (record.session.inTransaction && !record.session.readOnlyTransaction) s.transactionToReplica++;
      if (facts.sameConnection.length > 0) s.sameConnectionToReplica++;
    }
    if (o.overridden) this.safety.overridden++;

    const label = targetLabel(o);
    let pool = this.pools.get(label);
    if (pool === undefined) {
      pool = { role: o.role, count: 0, digests: new TopCounter() };
      this.pools.set(label, pool);
    }
    pool.count++;
    pool.digests.add(facts.digest, record.sql);
    let rule = this.rules.get(o.rule);
    if (rule === undefined) {
      rule = { count: 0, digests: new TopCounter() };
      this.rules.set(o.rule, rule);
    }
    rule.count++;
    rule.digests.add(facts.digest, record.sql);

    const other = record.outcomes[1];
    if (this.against !== null && other !== undefined) {
      const from = targetLabel(other);
      if (from !== label) {
        this.changed++;
        const key = `${from}\u0000${label}`;
        this.matrix.set(key, (this.matrix.get(key) ?? 0) + 1);
        this.changedDigests.add(`${facts.digest}\u0000${from}\u0000${label}`, record.sql);
      }
    }
  }

  build(
    inputs: readonly InputInfo[],
    counts: { sessions: number; sessionsWithoutConnect: number; prepares: number; invalid: number },
    topDigests = 5,
  ): Summary {
    const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
    const pools = [...this.pools]
      .map(([pool, p]) => ({
        pool,
        role: p.role,
        count: p.count,
        share: share(p.count, this.statements),
        topDigests: p.digests.top(topDigests),
      }))
      .sort((a, b) => b.count - a.count || a.pool.localeCompare(b.pool));
    const rules = [...this.rules].map(([rule, r]) => ({
      rule,
      count: r.count,
      share: share(r.count, this.statements),
      topDigests: r.digests.top(topDigests),
    }));
    let diff: DiffSummary | null = null;
    if (this.against !== null) {
      const matrix = [...this.matrix].map(([key, count]) => {
        const [from = "", to = ""] = key.split("\u0000");
        return { from, to, count };
      });
      matrix.sort((a, b) => b.count - a.count);
      const digests = this.changedDigests.top(Number.MAX_SAFE_INTEGER).map((d) => {
        const [digest = "", from = "", to = ""] = d.digest.split("\u0000");
        return { digest, from, to, count: d.count, example: d.example };
      });
      diff = { against: this.against, changed: this.changed, matrix, digests };
    }
    return {
      policy: this.policy,
      inputs,
      sessions: counts.sessions,
      sessionsWithoutConnect: counts.sessionsWithoutConnect,
      statements: this.statements,
      executes: this.executes,
      prepares: counts.prepares,
      invalidLines: counts.invalid,
      unparsed: this.unparsed,
      partiallyParsed: this.partial,
      reads: this.reads,
      readsToReplicas: this.readsToReplicas,
      readShareToReplicas: share(this.readsToReplicas, this.reads),
      denied: this.denied,
      rewritten: this.rewritten,
      responded: this.responded,
      unavailable: this.unavailable,
      safety: { ...this.safety },
      pools,
      rules,
      diff,
    };
  }
}
