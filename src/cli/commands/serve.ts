import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { loadConfig } from "../../config/index.js";
import { createRootLogger } from "../../log/logger.js";
import { SluiceRuntime } from "../../runtime/sluice-runtime.js";
import { WorkerPrimary } from "../../runtime/workers/primary.js";
import { runWorker } from "../../runtime/workers/worker-main.js";
import type { Command } from "../command.js";

const USAGE = `Usage: sluice serve --config sluice.yaml [--workers N|auto]

Runs the proxy: listeners, pools, monitor, admin interface and HTTP endpoints as the config says,
routing every statement by the configured policy.
  --workers N   N worker processes share the listening port (default: the config's \`workers\`,
                else 1; auto = one per CPU core). The primary process runs the monitor, admin
                and HTTP, and restarts a worker that dies; admin and /metrics add the workers up.
  SIGHUP   re-read config and policy; a bad one is reported and the running one stays
  SIGTERM  stop accepting, let open transactions finish, exit`;

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the proxy (sluice serve --config sluice.yaml [--workers N])",
  usage: USAGE,
  async run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const level = process.env.SLUICE_LOG_LEVEL === "debug" ? "debug" : "info";
    const root = createRootLogger({ level, destination: { kind: "stdout" } });
    if (cluster.isWorker) {
      // forked by a primary below: it sends config and policy over IPC
      const code = await runWorker(root.logger);
      root.flush();
      process.exit(code);
    }
    const path = option(args, "--config");
    if (path === undefined) {
      process.stderr.write(`sluice serve: --config FILE is required\n\n${USAGE}\n`);
      return 2;
    }
    const workers = workerCount(option(args, "--workers"), path);
    if (typeof workers === "string") {
      process.stderr.write(`sluice serve: ${workers}\n\n${USAGE}\n`);
      return 2;
    }
    if (workers > 1) {
      const started = await WorkerPrimary.start(path, workers, root.logger);
      if (started.kind === "invalid") {
        process.stderr.write(`sluice serve: the configuration or policy is invalid:\n\n${started.report}\n`);
        return 1;
      }
      return serveUntilSignalled(started.primary, () => root.flush());
    }
    const started = await SluiceRuntime.start(path, root.logger);
    if (started.kind === "invalid") {
      process.stderr.write(`sluice serve: the configuration or policy is invalid:\n\n${started.report}\n`);
      return 1;
    }
    return serveUntilSignalled(started.runtime, () => root.flush());
  },
};

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** --workers wins over the config's `workers`; a config that does not load counts as 1 (start reports it). */
function workerCount(flag: string | undefined, configPath: string): number | string {
  if (flag !== undefined) {
    if (flag === "auto") return availableParallelism();
    const n = Number(flag);
    return Number.isInteger(n) && n >= 1 && n <= 256
      ? n
      : `--workers takes a number from 1 to 256 or auto, not '${flag}'`;
  }
  const loaded = loadConfig({ path: configPath });
  if (loaded.kind === "invalid") return 1;
  const setting = loaded.config.workers;
  return setting.kind === "auto" ? availableParallelism() : setting.count;
}

/** What serveUntilSignalled drives: one process, or the primary of several. */
export interface Serving {
  reload(): Promise<unknown>;
  shutdown(): Promise<void>;
}

/** Reloads on SIGHUP, stops on SIGTERM/SIGINT. */
export async function serveUntilSignalled(runtime: Serving, flush: () => void): Promise<number> {
  const onHup = () => {
    void runtime.reload();
  };
  process.on("SIGHUP", onHup);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  process.off("SIGHUP", onHup);
  await runtime.shutdown();
  flush();
  return 0;
}
