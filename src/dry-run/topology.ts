/**
 * The cluster a dry-run pretends to route to: every server up, in rotation and without lag, so
 * decisions show what the policy means rather than what a bad moment of the cluster would do.
 * Servers come from `--config` (their names matter to pools that list servers) or, without one,
 * a primary and two replicas.
 */
import type { Role, ServerStatus, Topology } from "../monitor/types.js";

export interface DryRunServer {
  readonly name: string;
  readonly role: "primary" | "replica";
}

export const DEFAULT_SERVERS: readonly DryRunServer[] = [
  { name: "primary", role: "primary" },
  { name: "replica1", role: "replica" },
  { name: "replica2", role: "replica" },
];

export function dryRunTopology(servers: readonly DryRunServer[] = DEFAULT_SERVERS): Topology {
  const primary = servers.find((s) => s.role === "primary")?.name ?? null;
  return {
    seq: 1,
    at: 0,
    primary,
    servers: servers.map((s) => status(s.name, s.name === primary ? "primary" : "replica", primary)),
    leader: true,
    problems: [],
  };
}

function status(name: string, role: Role, primary: string | null): ServerStatus {
  const isPrimary = role === "primary";
  return {
    name,
    host: name,
    port: 3306,
    role,
    state: "up",
    health: "up",
    admin: "online",
    acceptsReads: true,
    acceptsWrites: isPrimary,
    readOnly: !isPrimary,
    lagSeconds: isPrimary ? null : 0,
    replicatesFrom: isPrimary ? null : primary,
    gtidCurrentPos: null,
    version: null,
    lastError: null,
  };
}
