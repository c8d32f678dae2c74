/**
 * WHAT-IF builds, for measurement only: copies of the compiled Sluice (bench/.build/dist) with a
 * prototype change patched into the JavaScript, to put a number on an optimisation before
 * anyone writes it properly. Not correct in general (see each variant); never shipped.
 *
 * - "no-reset": a connection given back to the pool skips COM_RESET_CONNECTION. Correct only
 *   when the session changed no session state on it (true of sysbench's autocommit reads, not
 *   of everything); the real change needs the router to say "clean" per release.
 * - "no-initdb": a leased connection skips COM_INIT_DB when the lease holder last selected the
 *   same database on it. MariaDB keeps the current database across COM_RESET_CONNECTION
 *   (checked on 10.11), so this is the real change minus tracking USE/COM_INIT_DB sent by clients.
 * - "both": the two together.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "../lib/results.js";
import { BUILD_DIR, builtCli } from "../targets/build.js";

export type WhatIf = "no-reset" | "no-initdb" | "both";

interface Patch {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

const NO_RESET: Patch = {
  file: "pool/pool.js",
  from: "conn.reset().then(",
  to: "Promise.resolve(true).then(",
};

const NO_INITDB: Patch = {
  file: "session/backend-lease.js",
  from: "if (database !== undefined) {",
  to: "if (database !== undefined && conn.whatIfSchema !== database) { conn.whatIfSchema = database;",
};

/** Builds (once) and returns the cli/main.js of the what-if copy. */
export async function whatIfCli(variant: WhatIf): Promise<string> {
  await builtCli();
  const dir = join(BENCH_DIR, ".build", `whatif-${variant}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(BUILD_DIR, dir, { recursive: true });
  const patches =
    variant === "no-reset" ? [NO_RESET] : variant === "no-initdb" ? [NO_INITDB] : [NO_RESET, NO_INITDB];
  for (const p of patches) {
    const file = join(dir, p.file);
    const text = readFileSync(file, "utf8");
    const count = text.split(p.from).length - 1;
    // the prototype is only meaningful if it changed exactly the code it was written against
    if (count !== 1)
      throw new Error(`what-if ${variant}: expected one '${p.from}' in ${p.file}, found ${count}`);
    writeFileSync(file, text.replace(p.from, p.to));
  }
  const cli = join(dir, "cli", "main.js");
  if (!existsSync(cli)) throw new Error(`what-if ${variant}: no ${cli}`);
  return cli;
}
