import type { Answer } from "./answer.js";
import { compareSession, type Mismatch } from "./compare.js";
import type { Step } from "./grammar.js";
import { runScript, type Side } from "./session.js";
import type { SessionTables } from "./tables.js";

/** Both sides of a differential run: straight to the primary, and through Sluice. */
export interface DiffEnv {
  readonly tables: SessionTables;
  readonly direct: Side;
  readonly through: Side;
  /** server status flags not compared (known gaps, see known-gaps.ts) */
  readonly ignoreStatusBits?: number;
}

export interface PairResult {
  readonly script: readonly Step[];
  readonly want: readonly (Answer | null)[];
  readonly got: readonly (Answer | null)[];
  readonly mismatches: readonly Mismatch[];
}

/**
 * Runs one script as session `n`: fresh tables `t_<n>` with the same rows in both databases
 * (replicated before anything runs through Sluice), the script straight on the primary, then
 * through Sluice, then the final rows of both tables read on the primary.
 */
export async function runPair(env: DiffEnv, n: number, script: readonly Step[]): Promise<PairResult> {
  await env.tables.create(n);
  const want = await runScript(env.direct, n, script);
  const got = await runScript(env.through, n, script);
  const [wantRows, gotRows] = await Promise.all([
    env.tables.rows(env.direct.db, n),
    env.tables.rows(env.through.db, n),
  ]);
  await env.tables.drop(n);
  return {
    script,
    want,
    got,
    mismatches: compareSession(script, want, got, wantRows, gotRows, env.ignoreStatusBits),
  };
}

/** Error messages Sluice gave (1105) where the server answered something else. */
export function sluiceErrors(result: PairResult): string[] {
  const out: string[] = [];
  result.got.forEach((g, i) => {
    const w = result.want[i];
    if (g == null || !("error" in g) || g.error.errno !== 1105) return;
    if (w != null && "error" in w && w.error.errno === 1105) return;
    out.push(g.error.message);
  });
  return out;
}
