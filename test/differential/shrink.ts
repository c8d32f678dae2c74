import fc from "fast-check";
import type { Failure } from "./campaign.js";
import { category } from "./compare.js";
import type { Step } from "./grammar.js";
import { type DiffEnv, type PairResult, runPair } from "./pair.js";

export interface Shrunk {
  readonly category: string;
  readonly index: number;
  /** the smallest failing run found (the original one when it did not fail again) */
  readonly result: PairResult;
  readonly reproduced: boolean;
  readonly shrinks: number;
}

/** Tables of shrinking runs are numbered apart from the sessions' own. */
let nextTable = 1_000_000;

/**
 * Shrinks a failing session with fast-check from the seed it was drawn with: each candidate runs
 * as `copies` sessions at once (contention like the campaign's, and more chances for a failure
 * that depends on timing) and fails when any copy has a mismatch of the original's category.
 * After `timeMs` every candidate counts as passing, so fast-check stops at the smallest so far.
 */
export async function shrinkFailure(
  env: DiffEnv,
  arbitrary: fc.Arbitrary<Step[]>,
  failure: Failure,
  o: { readonly timeMs: number; readonly copies: number },
): Promise<Shrunk> {
  const deadline = Date.now() + o.timeMs;
  let smallest: PairResult | undefined;
  const fails = async (script: readonly Step[]): Promise<boolean> => {
    if (Date.now() > deadline) return false;
    const runs = await Promise.all(
      Array.from({ length: Math.max(1, o.copies) }, () => runPair(env, nextTable++, script)),
    );
    const failing = runs.find((r) => r.mismatches.some((m) => category(m) === failure.category));
    if (failing !== undefined) smallest = failing;
    return failing !== undefined;
  };
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (script) => !(await fails(script))),
    { seed: failure.seed, numRuns: 1 },
  );
  let removed = 0;
  // fast-check shrinks an array by dropping leading elements and shrinking each one: steps after
  // the failing one, or between, can stay. Drop single steps while it still fails (not OPENING).
  for (let i = (smallest?.script.length ?? 0) - 1; i >= 1 && smallest !== undefined; i--) {
    const script = smallest.script;
    // on success `fails` has made the shorter run the smallest
    if (await fails([...script.slice(0, i), ...script.slice(i + 1)])) removed++;
  }
  return {
    category: failure.category,
    index: failure.index,
    result: smallest ?? failure.result,
    reproduced: smallest !== undefined,
    shrinks: details.numShrinks + removed,
  };
}
