/**
 * CPU and memory of a process from /proc (Linux only): what a proxy costs, read from outside it
 * so the measurement adds nothing to the measured process.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}

/** utime + stime of `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // the command name (field 2) may contain spaces: count fields from after its closing ")"
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** Sum of cpuSeconds over several processes (e.g. a proxy's workers); missing ones count 0. */
export function cpuSecondsOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // the process is gone: it used nothing more
    }
  }
  return total;
}

export interface MemoryStats {
  /** resident set size now, MiB */
  readonly rssMiB: number;
  /** peak resident set size since the process started (VmHWM), MiB */
  readonly peakRssMiB: number;
}

export function memory(pid: number): MemoryStats {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return m === null ? 0 : Number(m[1]);
  };
  return { rssMiB: round(kb("VmRSS") / 1024, 1), peakRssMiB: round(kb("VmHWM") / 1024, 1) };
}

/** Open file descriptors of `pid` (sockets included). */
export function openFds(pid: number): number {
  try {
    return execFileSync("ls", [`/proc/${pid}/fd`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean).length;
  } catch {
    return -1;
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `pid` and its descendants (a proxy with worker processes), from /proc/<n>/stat's ppid field. */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}
