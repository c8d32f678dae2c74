import type { ClusterInfo } from "../cluster/types.js";

export interface DemoPorts {
  readonly proxy: number;
  readonly admin: number;
  readonly http: number;
}

/** Environment variables the demo config takes its passwords from (never written to the file). */
export const DEMO_SECRETS = {
  SLUICE_DEMO_APP_PASSWORD: (c: ClusterInfo) => c.users.app.password,
  SLUICE_DEMO_MONITOR_PASSWORD: (c: ClusterInfo) => c.users.monitor.password,
  SLUICE_DEMO_REPL_PASSWORD: (c: ClusterInfo) => c.users.repl.password,
  SLUICE_DEMO_ADMIN_PASSWORD: () => "admin-secret",
} as const;

/** A sluice.yaml for Sluice in front of a local cluster: what `sluice demo` runs. */
export function demoConfigYaml(cluster: ClusterInfo, ports: DemoPorts, policyPath: string): string {
  const servers = cluster.servers
    .map((s) => `  - name: ${s.name}\n    host: ${s.host}\n    port: ${s.port}\n    role: ${s.role}`)
    .join("\n");
  return `# written by sluice demo
listeners:
  - name: demo
    host: 127.0.0.1
    port: ${ports.proxy}
admin:
  host: 127.0.0.1
  port: ${ports.admin}
  user: admin
  password_env: SLUICE_DEMO_ADMIN_PASSWORD
http:
  host: 127.0.0.1
  port: ${ports.http}
servers:
${servers}
users:
  - name: ${cluster.users.app.user}
    password_env: SLUICE_DEMO_APP_PASSWORD
pools:
  multiplexing: true
monitor:
  user: ${cluster.users.monitor.user}
  password_env: SLUICE_DEMO_MONITOR_PASSWORD
  replication:
    user: ${cluster.users.repl.user}
    password_env: SLUICE_DEMO_REPL_PASSWORD
  failover: auto
logging:
  level: warn
policy:
  files:
    - ${JSON.stringify(policyPath)}
`;
}
