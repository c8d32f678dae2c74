/**
 * Compiles Sluice (tsc, tsconfig.build.json) into bench/.build/dist so the bench measures the
 * JavaScript a deployment runs, not tsx's on-the-fly transform (which adds a module-loader
 * thread and esbuild's `__name` helper calls to every closure it creates). Inside the repo so
 * `node_modules` and package.json's "type": "module" are found by walking up.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { BENCH_DIR, REPO_DIR } from "../lib/results.js";

const run = promisify(execFile);
export const BUILD_DIR = join(BENCH_DIR, ".build", "dist");
let built: Promise<string> | undefined;

/** Path of the compiled CLI entry point; compiles once per bench process. */
export function builtCli(): Promise<string> {
  built ??= (async () => {
    const tsc = join(REPO_DIR, "node_modules", "typescript", "bin", "tsc");
    // tsc emits even when another area has type errors; a missing entry point is the real failure
    await run(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", BUILD_DIR], {
      cwd: REPO_DIR,
      timeout: 300_000,
      maxBuffer: 16 << 20,
    }).catch(() => undefined);
    const cli = join(BUILD_DIR, "cli", "main.js");
    if (!existsSync(cli)) throw new Error(`compiling Sluice into ${BUILD_DIR} produced no cli/main.js`);
    return cli;
  })();
  return built;
}
