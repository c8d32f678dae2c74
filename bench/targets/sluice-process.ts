/**
 * Starts Sluice as a child process so its CPU and memory can be read from /proc without the
 * benchmark itself being in the measured process. Three ways, chosen by `mode`:
 *
 * - "serve": `node --import tsx src/cli/main.ts serve --config <generated yaml>`, i.e. the real
 *   product path (policy, routing, monitor) as soon as `sluice serve` exists;
 * - "embedded": bench/proxy-sysbench-server.ts calling `startProxy` directly (forwarding, pools,
 *   no policy): what exists before `serve` does;
 * - "auto": "serve", falling back to "embedded" when `sluice serve` says it is not built yet.
 *
 * `SLUICE_BENCH_COMMAND` overrides both: a shell command with {config} and {port} placeholders.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "../../src/cluster/free-port.js";
import type { ClusterInfo } from "../../src/cluster/types.js";
import type { ProxyOptions } from "../../src/runtime/proxy-options.js";
import { BENCH_DIR, REPO_DIR } from "../lib/results.js";
import { builtCli } from "./build.js";
import { sluiceYaml } from "./sluice-config.js";

export type SluiceMode = "auto" | "serve" | "embedded";

export interface SluiceLaunch {
  readonly mode: SluiceMode;
  /** "built": run `sluice serve` compiled by tsc (bench/.build); "tsx": run the TypeScript sources */
  readonly runtime?: "built" | "tsx";
  /** a compiled cli/main.js to run instead of the bench's own build (what-if experiments) */
  readonly entry?: string;
  readonly workers: number;
  /** bench-only: release backend connections between transactions (see proxy-sysbench-server.ts) */
  readonly multiplex?: boolean;
  /** write a .cpuprofile into this folder when the process exits */
  readonly cpuProfileDir?: string;
  /** scratch folder for the generated config */
  readonly workDir: string;
  readonly maxClientConnections?: number;
  readonly maxPerServer?: number;
  /** policy file for `serve` (default policies/default.policy) */
  readonly policy?: string;
}

export interface SluiceProcess {
  readonly pid: number;
  readonly port: number;
  /** how it was actually started ("serve", "embedded" or "custom") */
  readonly how: string;
  readonly command: string;
  /** stops it (SIGTERM, so a CPU profile and counters are written) and returns what it printed */
  stop(): Promise<{ counters: unknown; stderr: string }>;
}

export async function startSluice(cluster: ClusterInfo, launch: SluiceLaunch): Promise<SluiceProcess> {
  const custom = process.env.SLUICE_BENCH_COMMAND;
  if (custom !== undefined && custom !== "") return startCustom(cluster, launch, custom);
  if (launch.mode === "embedded" || (launch.mode === "auto" && serveMissing))
    return startEmbedded(cluster, launch);
  try {
    return await startServe(cluster, launch);
  } catch (e) {
    if (launch.mode === "serve" || !/not built yet/.test((e as Error).message)) throw e;
    serveMissing = true;
    return startEmbedded(cluster, launch);
  }
}

/** set once `sluice serve` said it is not built yet, so "auto" stops asking */
let serveMissing = false;

function nodeFlags(launch: SluiceLaunch): string[] {
  return launch.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${launch.cpuProfileDir}`];
}

async function startServe(cluster: ClusterInfo, launch: SluiceLaunch): Promise<SluiceProcess> {
  const port = await freePort();
  const config = join(launch.workDir, "sluice-bench.yaml");
  writeFileSync(config, sluiceYaml(cluster, port, launch));
  const entry =
    launch.entry !== undefined
      ? [launch.entry]
      : launch.runtime === "tsx"
        ? ["--import", "tsx", join(REPO_DIR, "src/cli/main.ts")]
        : [await builtCli()];
  const args = [...nodeFlags(launch), ...entry, "serve", "--config", config];
  const child = spawn(process.execPath, args, {
    cwd: REPO_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: benchEnv(cluster),
  });
  const how =
    launch.entry !== undefined
      ? `serve (${launch.entry.replace(/.*\.build\//, "")})`
      : launch.runtime === "tsx"
        ? "serve (tsx)"
        : "serve (compiled)";
  return waitForPort(child, port, how, `node ${args.join(" ").replace(`${REPO_DIR}/`, "")}`);
}

async function startEmbedded(cluster: ClusterInfo, launch: SluiceLaunch): Promise<SluiceProcess> {
  const port = await freePort();
  const { app } = cluster.users;
  const options: ProxyOptions = {
    listen: { host: "127.0.0.1", port },
    servers: cluster.servers.map((s) => ({ name: s.name, host: s.host, port: s.port, role: s.role })),
    users: [{ name: app.user, password: app.password }],
    pool: { minIdle: 4, maxIdle: 64, maxPerServer: launch.maxPerServer ?? 200 },
    maxClientConnections: launch.maxClientConnections ?? 20_000,
  };
  const args = [
    ...nodeFlags(launch),
    "--import",
    "tsx",
    join(BENCH_DIR, "proxy-sysbench-server.ts"),
    JSON.stringify(options),
    ...(launch.multiplex === true ? ["--multiplex"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: benchEnv(cluster),
  });
  return waitForPort(
    child,
    port,
    launch.multiplex === true ? "embedded+multiplex" : "embedded",
    "node bench/proxy-sysbench-server.ts",
  );
}

async function startCustom(
  cluster: ClusterInfo,
  launch: SluiceLaunch,
  template: string,
): Promise<SluiceProcess> {
  const port = await freePort();
  const config = join(launch.workDir, "sluice-bench.yaml");
  writeFileSync(config, sluiceYaml(cluster, port, launch));
  const command = template.replaceAll("{config}", config).replaceAll("{port}", String(port));
  // exec: the shell becomes the command, so the pid we measure is Sluice's
  const child = spawn("/bin/sh", ["-c", `exec ${command}`], {
    cwd: REPO_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: benchEnv(cluster),
  });
  return waitForPort(child, port, "custom", command);
}

function benchEnv(cluster: ClusterInfo): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SLUICE_LOG_LEVEL: "warn",
    SLUICE_BENCH_APP_PASSWORD: cluster.users.app.password,
    SLUICE_BENCH_MONITOR_PASSWORD: cluster.users.monitor.password,
    SLUICE_BENCH_REPL_PASSWORD: cluster.users.repl.password,
  };
}

/** Resolves once `port` accepts connections; rejects (with its stderr) if the child exits first. */
function waitForPort(
  child: ChildProcess,
  port: number,
  how: string,
  command: string,
): Promise<SluiceProcess> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    // keep the tail only: a serving Sluice logs (e.g. a line per login) for as long as it runs
    stdout = (stdout + c.toString()).slice(-65_536);
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const handle: SluiceProcess = {
    pid: child.pid ?? -1,
    port,
    how,
    command,
    stop: async () => {
      if (exitCode === undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      const m = /COUNTERS (.*)/.exec(stdout);
      return { counters: m === null ? null : (JSON.parse(m[1] ?? "null") as unknown), stderr };
    },
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const attempt = () => {
      if (exitCode !== undefined) {
        reject(
          new Error(
            `Sluice (${how}) exited with ${exitCode} before listening: ${stderr.trim().slice(-2000)}`,
          ),
        );
        return;
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        reject(
          new Error(`Sluice (${how}) did not listen on ${port} within 60 s: ${stderr.trim().slice(-2000)}`),
        );
        return;
      }
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(handle);
      });
      socket.once("error", () => {
        socket.destroy();
        setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}
