/** Where bench results go and what every result file says about the machine it ran on. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const RESULTS_DIR = join(BENCH_DIR, "results");
export const REPO_DIR = dirname(BENCH_DIR);

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages: on a shared machine this says how noisy the run was */
  readonly loadAverage: readonly number[];
}

export function machine(): MachineInfo {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Writes bench/results/<yyyy-mm-dd>-<name>.<ext> and returns its path. */
export function writeResult(name: string, ext: "json" | "md" | "svg", content: unknown): string {
  const file = join(RESULTS_DIR, `${today()}-${name}.${ext}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, ext === "json" ? `${JSON.stringify(content, null, 2)}\n` : String(content));
  return file;
}

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The code measured: the commit and how many files differ from it (the tree moves while we work). */
export function sourceVersion(): { commit: string; changedFiles: number } {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: REPO_DIR,
      encoding: "utf8",
    }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--", "src"], {
      cwd: REPO_DIR,
      encoding: "utf8",
    });
    return { commit, changedFiles: status.split("\n").filter(Boolean).length };
  } catch {
    return { commit: "unknown", changedFiles: -1 };
  }
}
