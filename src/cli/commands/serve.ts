import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { loadConfig, type SluiceConfig } from "../../config/index.js";
import { createRootLogger, type RootLogger, serveLogOptions } from "../../log/logger.js";
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
  SIGHUP   re-read config and policy; a bad one is reported and the running one stays (settings
           only a restart applies, such as listeners or pool sizes, are named in a warning)
  SIGUSR2  reopen the log files (logging.destination, logging.query_log.destination) at their
           paths, in every worker: send it after logrotate moved them
  SIGTERM  stop accepting, let open transactions finish, exit

Sluice's own log goes where logging.destination says, at logging.level (SLUICE_LOG_LEVEL=debug,
or another level name, overrides the level).`;

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the proxy (sluice serve --config sluice.yaml [--workers N])",
  usage: USAGE,
  async run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cluster.isWorker) {
      // forked by a primary below: it sends config and policy over IPC, the log settings with them
      process.exit(await runWorker((logging) => createRootLogger(serveLogOptions(logging))));
    }
    const path = option(args, "--config");
    if (path === undefined) {
      process.stderr.write(`sluice serve: --config FILE is required\n\n${USAGE}\n`);
      return 2;
    }
    // a config that does not load counts as stdout and 1 worker here: start reports why
    const loaded = loadConfig({ path });
    const config = loaded.kind === "ok" ? loaded.config : null;
    const root = createRootLogger(serveLogOptions(config?.logging ?? null));
    const workers = workerCount(option(args, "--workers"), config);
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
      return serveUntilSignalled(started.primary, root);
    }
    const started = await SluiceRuntime.start(path, root.logger);
    if (started.kind === "invalid") {
      process.stderr.write(`sluice serve: the configuration or policy is invalid:\n\n${started.report}\n`);
      return 1;
    }
    return serveUntilSignalled(started.runtime, root);
  },
};

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** --workers wins over the config's `workers`; a config that does not load counts as 1 (start reports it). */
function workerCount(flag: string | undefined, config: SluiceConfig | null): number | string {
  if (flag !== undefined) {
    if (flag === "auto") return availableParallelism();
    const n = Number(flag);
    return Number.isInteger(n) && n >= 1 && n <= 256
      ? n
      : `--workers takes a number from 1 to 256 or auto, not '${flag}'`;
  }
  if (config === null) return 1;
  const setting = config.workers;
  return setting.kind === "auto" ? availableParallelism() : setting.count;
}

/** What serveUntilSignalled drives: one process, or the primary of several. */
export interface Serving {
  reload(): Promise<unknown>;
  /** the query log's file, and with workers every worker's files (the caller reopens its own) */
  reopenLogs(): Promise<void> | void;
  shutdown(): Promise<void>;
}

/**
 * Reloads on SIGHUP, reopens the log files on SIGUSR2, stops on SIGTERM/SIGINT. `root` is the
 * process's own log: reopened first, so the confirmation line goes to the new file.
 */
export async function serveUntilSignalled(
  runtime: Serving,
  root: Pick<RootLogger, "logger" | "reopen" | "flush">,
): Promise<number> {
  const onHup = () => {
    void runtime.reload();
  };
  const onUsr2 = () => {
    root.reopen();
    void Promise.resolve(runtime.reopenLogs()).then(() => root.logger.info("log files reopened"));
  };
  process.on("SIGHUP", onHup);
  process.on("SIGUSR2", onUsr2);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  // SIGHUP and SIGUSR2 stay handled while draining: unhandled, their default action would end the
  // process and cut the transactions the drain is waiting for. A reload now would be pointless.
  process.off("SIGHUP", onHup);
  const onLateHup = () => root.logger.warn("SIGHUP while shutting down: no reload");
  process.on("SIGHUP", onLateHup);
  await runtime.shutdown();
  process.off("SIGHUP", onLateHup);
  process.off("SIGUSR2", onUsr2);
  root.flush();
  return 0;
}
