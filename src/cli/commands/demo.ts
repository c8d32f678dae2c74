import { startLocalCluster } from "../../cluster/local-cluster.js";
import type { Command } from "../command.js";

const USAGE = `Usage: sluice demo [--replicas N]

Starts a local MariaDB primary with replicas (GTID replication, loopback, temp dir) from the
installed server binaries, prints how to connect, and stays up until Ctrl-C, when everything it
started is stopped and removed.`;

function parseReplicas(args: readonly string[]): number | string {
  const at = args.indexOf("--replicas");
  if (at === -1) return 2;
  const value = Number(args[at + 1]);
  return Number.isInteger(value) && value >= 0 && value <= 5
    ? value
    : "--replicas takes a number from 0 to 5";
}

export const demoCommand: Command = {
  name: "demo",
  summary: "Start a local MariaDB cluster (and, as it lands, Sluice in front of it) until Ctrl-C",
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
    const log = (line: string) => process.stderr.write(`[demo] ${line}\n`);
    const cluster = await startLocalCluster({ replicas, log });
    const { app } = cluster.info.users;
    const lines = [
      "",
      `MariaDB ${cluster.info.version}`,
      ...cluster.info.servers.map(
        (s) =>
          `  ${s.name.padEnd(9)} 127.0.0.1:${s.port}  mariadb -h127.0.0.1 -P${s.port} -u${app.user} -p${app.password} ${cluster.info.database}`,
      ),
      "",
      "The proxy itself is not wired into the demo yet; connect to the servers above.",
      "Press Ctrl-C to stop the cluster and remove its files.",
      "",
    ];
    process.stdout.write(lines.join("\n"));
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    log("stopping");
    await cluster.stop();
    return 0;
  },
};
