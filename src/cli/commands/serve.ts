import { createRootLogger } from "../../log/logger.js";
import { SluiceRuntime } from "../../runtime/sluice-runtime.js";
import type { Command } from "../command.js";

const USAGE = `Usage: sluice serve --config sluice.yaml

Runs the proxy: listeners, pools, monitor, admin interface and HTTP endpoints as the config says,
routing every statement by the configured policy.
  SIGHUP   re-read config and policy; a bad one is reported and the running one stays
  SIGTERM  stop accepting, close connections, exit`;

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the proxy (sluice serve --config sluice.yaml)",
  usage: USAGE,
  async run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const at = args.indexOf("--config");
    const path = at === -1 ? undefined : args[at + 1];
    if (path === undefined) {
      process.stderr.write(`sluice serve: --config FILE is required\n\n${USAGE}\n`);
      return 2;
    }
    const level = process.env.SLUICE_LOG_LEVEL === "debug" ? "debug" : "info";
    const root = createRootLogger({ level, destination: { kind: "stdout" } });
    const started = await SluiceRuntime.start(path, root.logger);
    if (started.kind === "invalid") {
      process.stderr.write(`sluice serve: the configuration or policy is invalid:\n\n${started.report}\n`);
      return 1;
    }
    return serveUntilSignalled(started.runtime, () => root.flush());
  },
};

/** Reloads on SIGHUP, stops on SIGTERM/SIGINT. */
export async function serveUntilSignalled(runtime: SluiceRuntime, flush: () => void): Promise<number> {
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
