import { spawn } from "node:child_process";

/*
 * A watchdog process that outlives a crash of the harness. It polls the process that started the
 * cluster; when that one is gone (killed, crashed, interrupted before its teardown ran), it kills
 * every mariadbd whose pid file lies under the cluster's directory and removes the directory.
 * The script is inline so it runs the same from TypeScript sources and from dist/.
 */
const REAPER_SOURCE = `
const fs = require("node:fs");
const path = require("node:path");
const [parent, baseDir] = [Number(process.argv[1]), process.argv[2]];
function alive(pid) { try { process.kill(pid, 0); return true; } catch { return false; } }
function pids() {
  const found = [];
  let entries = [];
  try { entries = fs.readdirSync(baseDir); } catch { return found; }
  for (const entry of entries) {
    try { found.push(Number(fs.readFileSync(path.join(baseDir, entry, "mariadbd.pid"), "utf8").trim())); } catch {}
  }
  return found.filter((p) => p > 0);
}
function reap() {
  for (const pid of pids()) { try { process.kill(pid, "SIGCONT"); process.kill(pid, "SIGKILL"); } catch {} }
  setTimeout(() => { try { fs.rmSync(baseDir, { recursive: true, force: true }); } catch {} process.exit(0); }, 500);
}
const timer = setInterval(() => { if (!alive(parent)) { clearInterval(timer); reap(); } }, 300);
`;

export interface Reaper {
  /** Called by a clean teardown: the watchdog is no longer needed. */
  dismiss(): void;
}

export function startReaper(baseDir: string, parentPid = process.pid): Reaper {
  const child = spawn(process.execPath, ["-e", REAPER_SOURCE, String(parentPid), baseDir], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return {
    dismiss() {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}
