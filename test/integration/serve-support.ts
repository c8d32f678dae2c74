import { writeFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pino from "pino";
import { DEMO_SECRETS, demoConfigYaml } from "../../src/cli/demo-config.js";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import { freePorts } from "../../src/cluster/free-port.js";
import { SluiceRuntime } from "../../src/runtime/sluice-runtime.js";

export interface Served {
  readonly runtime: SluiceRuntime;
  readonly ports: { readonly proxy: number; readonly admin: number; readonly http: number };
  /** rewrites the config's `logging` section (e.g. a new query_log) and reloads */
  relog(logging: string): Promise<void>;
  client(): Promise<mysql.Connection>;
}

/**
 * The demo config (default policy, admin and HTTP listeners, no automatic failover) in `dir`,
 * served in this process by SluiceRuntime. `logging` replaces the config's logging section.
 */
export async function serveInDir(cluster: ClusterControl, dir: string, logging: string): Promise<Served> {
  const [proxy = 0, admin = 0, http = 0] = await freePorts(3);
  const ports = { proxy, admin, http };
  const configPath = join(dir, "sluice.yaml");
  const write = (section: string) =>
    writeFileSync(
      configPath,
      demoConfigYaml(cluster.info, ports, join(process.cwd(), "policies/default.policy"))
        .replace("failover: auto", "failover: off")
        .replace("logging:\n  level: warn\n", section),
    );
  write(logging);
  for (const [name, value] of Object.entries(DEMO_SECRETS)) process.env[name] = value(cluster.info);
  const started = await SluiceRuntime.start(configPath, pino({ level: "silent" }));
  if (started.kind === "invalid") throw new Error(started.report);
  const runtime = started.runtime;
  return {
    runtime,
    ports,
    relog: async (section) => {
      write(section);
      const r = await runtime.reload();
      if (r.kind !== "ok") throw new Error(r.diagnostics.join("\n"));
    },
    client: () =>
      mysql.createConnection({
        host: "127.0.0.1",
        port: ports.proxy,
        user: cluster.info.users.app.user,
        password: cluster.info.users.app.password,
        database: cluster.info.database,
      }),
  };
}

/** A `logging` section with the given query_log keys (YAML lines, already indented by 4). */
export function loggingWith(queryLog: string): string {
  return `logging:\n  level: warn\n  query_log:\n${queryLog}\n`;
}
