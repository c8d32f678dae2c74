/**
 * Runs the micro-benchmarks (framer, classify, decide, dry-run), each in its own process so one
 * cannot warm or slow another, and collects the JSON each writes to bench/results/. A bench that
 * fails (e.g. one whose area is still being written) is recorded with its error, not fatal.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { BENCH_DIR, REPO_DIR, RESULTS_DIR, today } from "./lib/results.js";

const run = promisify(execFile);

export type MicroOutcome =
  | { readonly kind: "ok"; readonly name: string; readonly seconds: number; readonly result: unknown }
  | { readonly kind: "failed"; readonly name: string; readonly error: string };

interface MicroBench {
  readonly name: string;
  readonly file: string;
  readonly args: (quick: boolean) => string[];
}

const BENCHES: readonly MicroBench[] = [
  { name: "framer", file: "framer.bench.ts", args: (q) => ["--mb", q ? "64" : "512"] },
  { name: "classify", file: "classify.bench.ts", args: () => [] },
  { name: "decide", file: "decide.bench.ts", args: () => [] },
  { name: "dry-run", file: "dry-run.bench.ts", args: (q) => ["--lines", q ? "200000" : "1000000"] },
];

export async function runMicroBenches(quick: boolean, log: (line: string) => void): Promise<MicroOutcome[]> {
  const out: MicroOutcome[] = [];
  for (const b of BENCHES) {
    const resultFile = join(RESULTS_DIR, `${today()}-${b.name}.json`);
    const startedAt = Date.now();
    log(`micro: ${b.name}`);
    try {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", join(BENCH_DIR, b.file), ...b.args(quick)],
        {
          cwd: REPO_DIR,
          timeout: 15 * 60_000,
          maxBuffer: 16 << 20,
        },
      );
      log(
        stdout
          .trim()
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n"),
      );
      if (!existsSync(resultFile) || statSync(resultFile).mtimeMs < startedAt)
        throw new Error(`${b.file} ran but did not write ${resultFile}`);
      out.push({
        kind: "ok",
        name: b.name,
        seconds: Math.round((Date.now() - startedAt) / 1000),
        result: JSON.parse(readFileSync(resultFile, "utf8")) as unknown,
      });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const error = `${err.message}\n${err.stderr ?? ""}`.trim().slice(0, 2000);
      log(`  ${b.name} failed: ${error.split("\n")[0]}`);
      out.push({ kind: "failed", name: b.name, error });
    }
  }
  return out;
}
