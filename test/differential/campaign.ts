import fc from "fast-check";
import { category, type Mismatch } from "./compare.js";
import { type Step, sessionScript } from "./grammar.js";
import { type DiffEnv, type PairResult, runPair, sluiceErrors } from "./pair.js";
import { type Shrunk, shrinkFailure } from "./shrink.js";

export interface CampaignOptions {
  readonly sessions: number;
  /** sessions running at once through Sluice (they share its pooled backend connections) */
  readonly concurrency: number;
  /** session i's script is the first value fast-check draws with seed `seed + i` */
  readonly seed: number;
  readonly kinds: readonly string[];
  /** statements per session at most (after the opening SELECT) */
  readonly maxLength: number;
  /** how many distinct failure categories to shrink, and the time each may take */
  readonly shrink: { readonly categories: number; readonly timeMs: number; readonly copies: number };
  readonly log?: (line: string) => void;
}

export interface Failure {
  readonly index: number;
  readonly seed: number;
  /** the category of the session's first mismatch (what the session is counted under) */
  readonly category: string;
  readonly result: PairResult;
}

export interface CampaignResult {
  readonly sessions: number;
  readonly statements: number;
  readonly failures: readonly Failure[];
  /** every mismatch of every session, by category */
  readonly mismatches: ReadonlyMap<string, number>;
  /** Sluice's 1105 messages (where the server answered otherwise), by message */
  readonly errors1105: ReadonlyMap<string, number>;
  readonly shrunk: readonly Shrunk[];
  readonly ms: number;
}

export function scriptArbitrary(o: Pick<CampaignOptions, "kinds" | "maxLength">): fc.Arbitrary<Step[]> {
  // unbiased: fast-check biases early runs towards small values, and every session here is a first run
  return fc.noBias(sessionScript(o.kinds, o.maxLength));
}

/** The script of session i: repeatable from the seed alone (and shrinkable from it, see shrink.ts). */
export function scriptOf(o: CampaignOptions, i: number): Step[] {
  const [script] = fc.sample(scriptArbitrary(o), { seed: o.seed + i, numRuns: 1 });
  if (script === undefined) throw new Error("fast-check drew no script");
  return script;
}

/**
 * Runs `sessions` random sessions, `concurrency` at a time, each direct and through Sluice, and
 * shrinks the first failure of each of the first few categories to a minimal script.
 */
export async function runCampaign(env: DiffEnv, o: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const failures: Failure[] = [];
  const mismatches = new Map<string, number>();
  const errors1105 = new Map<string, number>();
  let statements = 0;
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < o.sessions; i = next++) {
      const script = scriptOf(o, i);
      const result = await runPair(env, i, script);
      statements += script.filter((s) => !("pauseMs" in s)).length;
      for (const m of result.mismatches) bump(mismatches, category(m));
      for (const message of sluiceErrors(result)) bump(errors1105, message);
      const first: Mismatch | undefined = result.mismatches[0];
      if (first !== undefined)
        failures.push({ index: i, seed: o.seed + i, category: category(first), result });
      done++;
      if (done % 50 === 0) o.log?.(`${done}/${o.sessions} sessions, ${failures.length} failing`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  failures.sort((a, b) => a.index - b.index);

  // every category, most frequent first, shrunk from the first session that shows it (a mismatch
  // behind an earlier one in its session still gets a script of its own)
  const shrunk: Shrunk[] = [];
  for (const [name] of [...mismatches.entries()].sort((a, b) => b[1] - a[1])) {
    if (shrunk.length >= o.shrink.categories) break;
    const f = failures.find((x) => x.result.mismatches.some((m) => category(m) === name));
    if (f === undefined) continue;
    o.log?.(`shrinking session ${f.index} (${name})`);
    shrunk.push(await shrinkFailure(env, scriptArbitrary(o), { ...f, category: name }, o.shrink));
  }
  return {
    sessions: o.sessions,
    statements,
    failures,
    mismatches,
    errors1105,
    shrunk,
    ms: Date.now() - started,
  };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
