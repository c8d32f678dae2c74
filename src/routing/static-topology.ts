import type { ServerStatus, Topology } from "../monitor/types.js";

/**
 * A topology that assumes every configured server is up in its configured role: what routing
 * uses before the monitor's first check, in tests without a monitor, and in dry-run.
 */
export function staticTopology(
  servers: readonly {
    readonly name: string;
    readonly host: string;
    readonly port: number;
    readonly role: "primary" | "replica";
  }[],
): Topology {
  const primary = servers.find((s) => s.role === "primary")?.name ?? null;
  const statuses: ServerStatus[] = servers.map((s) => ({
    name: s.name,
    host: s.host,
    port: s.port,
    role: s.role,
    state: "up",
    health: "up",
    admin: "online",
    acceptsReads: true,
    acceptsWrites: s.role === "primary",
    readOnly: s.role !== "primary",
    lagSeconds: s.role === "primary" ? null : 0,
    replicatesFrom: s.role === "primary" ? null : primary,
    gtidCurrentPos: null,
    version: null,
    lastError: null,
  }));
  return { seq: 0, at: 0, primary, servers: statuses, leader: false, problems: [] };
}
