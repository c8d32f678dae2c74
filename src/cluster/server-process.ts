import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServerInfo } from "./types.js";

/** Files of one server live beside its datadir: pid file, socket, logs. */
export function serverDir(server: ServerInfo): string {
  return dirname(server.datadir);
}

export function pidFile(server: ServerInfo): string {
  return join(serverDir(server), "mariadbd.pid");
}

export function errorLog(server: ServerInfo): string {
  return join(serverDir(server), "error.log");
}

export function generalLogFile(server: ServerInfo): string {
  return join(serverDir(server), "general.log");
}

export function slowLogFile(server: ServerInfo): string {
  return join(serverDir(server), "slow.log");
}

/** The command line of one server: small, fast, loopback only, GTID replication ready. */
export function mariadbdArgs(server: ServerInfo): string[] {
  const dir = serverDir(server);
  const args = [
    "--no-defaults", // never read the machine's own /etc/mysql config
    `--datadir=${server.datadir}`,
    `--port=${server.port}`,
    `--bind-address=${server.host}`,
    `--socket=${server.socket}`,
    `--pid-file=${pidFile(server)}`,
    `--log-error=${errorLog(server)}`,
    `--general-log-file=${generalLogFile(server)}`,
    `--slow-query-log-file=${slowLogFile(server)}`,
    `--tmpdir=${dir}`,
    `--secure-file-priv=${dir}`,
    `--server-id=${server.serverId}`,
    "--log-bin=mariadb-bin",
    "--log-slave-updates",
    "--binlog-format=ROW",
    "--gtid-strict-mode=1",
    "--skip-name-resolve",
    "--local-infile=1",
    "--max-connections=3000",
    "--max-allowed-packet=256M",
    "--performance-schema=OFF",
    "--innodb-buffer-pool-size=64M",
    "--innodb-log-file-size=48M",
    "--innodb-flush-log-at-trx-commit=2",
    "--sync-binlog=0",
    "--skip-innodb-doublewrite",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
  ];
  if (server.role === "replica") args.push("--read-only=1");
  args.push(...(server.options ?? []));
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--user=root");
  return args;
}

export function readPid(server: ServerInfo): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile(server), "utf8").trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive means running or stopped, not gone and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Children we spawned ourselves; kept so node reaps them and they never linger as zombies. */
const children = new Map<number, ChildProcess>();

/** Spawns mariadbd detached (its own process group, so Ctrl-C reaches the harness, not it). */
export function spawnServer(mariadbd: string, server: ServerInfo): number {
  const child = spawn(mariadbd, mariadbdArgs(server), { detached: true, stdio: "ignore" });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start mariadbd for ${server.name}`);
  const pid = child.pid;
  children.set(pid, child);
  child.on("exit", () => children.delete(pid));
  return pid;
}

export function tailOfErrorLog(server: ServerInfo, lines = 15): string {
  try {
    return readFileSync(errorLog(server), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no error log)";
  }
}

export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Clean shutdown (SIGTERM), escalating to SIGKILL after `timeoutMs`. */
export async function stopServer(server: ServerInfo, timeoutMs = 30_000): Promise<void> {
  const pid = readPid(server);
  if (pid === undefined || !isAlive(pid)) return;
  signal(pid, "SIGCONT"); // a paused server cannot handle SIGTERM
  signal(pid, "SIGTERM");
  if (!(await waitUntilGone(pid, timeoutMs))) {
    signal(pid, "SIGKILL");
    await waitUntilGone(pid, 5_000);
  }
}

/** kill -9: the server dies without a clean shutdown, like a crashed host. */
export async function killServer(server: ServerInfo): Promise<void> {
  const pid = readPid(server);
  if (pid === undefined) return;
  signal(pid, "SIGKILL");
  await waitUntilGone(pid, 10_000);
  if (existsSync(pidFile(server))) rmSync(pidFile(server), { force: true });
}

export function pauseServer(server: ServerInfo): void {
  const pid = readPid(server);
  if (pid !== undefined) signal(pid, "SIGSTOP");
}

export function resumeServer(server: ServerInfo): void {
  const pid = readPid(server);
  if (pid !== undefined) signal(pid, "SIGCONT");
}
