/**
 * Named snapshots of the compiled tree, for before/after measurements (bench/experiments/ab.ts):
 * compile the working tree now into bench/.build/snap-<name>/dist, change the code, snapshot
 * again under another name, then run both in the same rounds.
 *
 *   node --import tsx bench/experiments/snapshot-build.ts <name>
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_DIR, REPO_DIR } from "../lib/results.js";

export function snapshotDir(name: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`snapshot name '${name}': lower-case letters, digits, -`);
  return join(BENCH_DIR, ".build", `snap-${name}`, "dist");
}

/** The cli/main.js of an existing snapshot. */
export function snapshotCli(name: string): string {
  const cli = join(snapshotDir(name), "cli", "main.js");
  if (!existsSync(cli)) throw new Error(`no snapshot '${name}' (${cli}); make it with snapshot-build.ts`);
  return cli;
}

/** Compiles the working tree into the snapshot; tsc emits even when some other file has type errors. */
export function makeSnapshot(name: string): string {
  const tsc = join(REPO_DIR, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", snapshotDir(name)], {
      cwd: REPO_DIR,
      stdio: "ignore",
      timeout: 300_000,
    });
  } catch {
    // type errors elsewhere still emit; a missing entry point is the real failure
  }
  return snapshotCli(name);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const name = process.argv[2];
  if (name === undefined) throw new Error("usage: snapshot-build.ts <name>");
  process.stdout.write(`${makeSnapshot(name)}\n`);
}
