import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePorts } from "../../cluster/free-port.js";
import { startLocalCluster } from "../../cluster/local-cluster.js";
import { createRootLogger } from "../../log/logger.js";
import { SluiceRuntime } from "../../runtime/sluice-runtime.js";
import type { Command } from "../command.js";
import { DEMO_SECRETS, demoConfigYaml } from "../demo-config.js";
import { serveUntilSignalled } from "./serve.js";

const USAGE = `Usage: sluice demo [--replicas N]

Starts a local MariaDB primary with replicas (GTID replication, loopback, temp dir) from the
installed server binaries, Sluice in front of them with policies/default.policy, prints how to
connect, and stays up until Ctrl-C, when everything it started is stopped and removed.`;

function parseReplicas(args: readonly string[]): number | string {
  const at = args.indexOf("--replicas");
  if (at === -1) return 2;
  const value = Number(args[at + 1]);
  return Number.isInteger(value) && value >= 0 && value <= 5
    ? value
    : "--replicas takes a number from 0 to 5";
}

/** The shipped default policy, beside dist/ or src/ alike. */
const DEFAULT_POLICY = fileURLToPath(new URL("../../../policies/default.policy", import.meta.url));

export const demoCommand: Command = {
  name: "demo",
  summary: "Start a local MariaDB cluster with Sluice in front of it (default.policy) until Ctrl-C",
  usage: USAGE,
  async run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const replicas = parseReplicas(args);
    if (typeof replicas === "string") {
      process.stderr.write(`sluice demo: ${replicas}\n`);
      return 2;
    }
    const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);
    const cluster = await startLocalCluster({ replicas, log: say });
    try {
      const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
      const configPath = join(cluster.info.baseDir, "sluice.yaml");
      writeFileSync(configPath, demoConfigYaml(cluster.info, { proxy, admin, http }, DEFAULT_POLICY));
      for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] = value(cluster.info);
      const root = createRootLogger({ level: "warn", destination: { kind: "stdout" } });
      const started = await SluiceRuntime.start(configPath, root.logger);
      if (started.kind === "invalid") {
        process.stderr.write(`sluice demo: ${started.report}\n`);
        return 1;
      }
      const { app } = cluster.info.users;
      process.stdout.write(
        [
          "",
          `Sluice is in front of MariaDB ${cluster.info.version} (policy ${started.runtime.policy.version}, ${DEFAULT_POLICY})`,
          `  clients   mariadb -h127.0.0.1 -P${proxy} -u${app.user} -p${app.password} ${cluster.info.database}`,
          `  admin     mariadb -h127.0.0.1 -P${admin} -uadmin -padmin-secret -e 'SHOW SERVERS'`,
          `  metrics   curl http://127.0.0.1:${http}/metrics`,
          ...cluster.info.servers.map(
            (s) =>
              `  ${s.name.padEnd(9)} direct: mariadb -h127.0.0.1 -P${s.port} -u${app.user} -p${app.password}`,
          ),
          `  config    ${configPath}`,
          "",
          "Press Ctrl-C to stop Sluice and the cluster and remove their files.",
          "",
        ].join("\n"),
      );
      return await serveUntilSignalled(started.runtime, root);
    } finally {
      say("stopping the cluster");
      await cluster.stop();
    }
  },
};
