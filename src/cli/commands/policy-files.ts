/** Expands command-line paths: files as given, directories to the matching files under them. */
import { readdir, stat } from "node:fs/promises";
import { posix } from "node:path";

export async function expandPaths(
  paths: readonly string[],
  suffix: string,
): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) missing.push(p);
    else if (info.isDirectory()) files.push(...(await walk(p, suffix)));
    else files.push(posix.normalize(p));
  }
  return { files, missing };
}

async function walk(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path, suffix)));
    else if (e.name.endsWith(suffix)) out.push(path);
  }
  return out;
}

/** Minimal flag parsing shared by the policy commands. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
  readonly errors: string[];
}

export function parseArgs(
  args: readonly string[],
  valued: readonly string[],
  booleans: readonly string[],
): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) errors.push(`--${name} needs a value`);
      else flags.set(name, v);
    } else if (booleans.includes(name)) flags.set(name, true);
    else errors.push(`unknown option --${name}`);
  }
  return { positional, flags, errors };
}
