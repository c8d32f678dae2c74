/**
 * What a hook is run with (pure): argv = the configured command, then the event kind and its
 * fields in a fixed order; the same fields as SLUICE_* environment variables. No shell is
 * involved, so server names or error texts can never be interpreted as commands.
 */
import type { HookConfig } from "./config.js";
import { eventServer, type MonitorEvent } from "./types.js";

export interface HookInvocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function hookMatches(hook: HookConfig, event: MonitorEvent): boolean {
  return hook.on.includes("*") || hook.on.includes(event.kind);
}

function envName(field: string): string {
  return `SLUICE_${field.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** Event fields other than `kind`, in declaration order, stringified. */
export function eventFields(event: MonitorEvent): [string, string][] {
  return Object.entries(event)
    .filter(([k]) => k !== "kind")
    .map(([k, v]) => [k, String(v)]);
}

export function hookInvocation(hook: HookConfig, event: MonitorEvent, at: number): HookInvocation {
  const [file, ...lead] = hook.command;
  const fields = eventFields(event);
  const env: Record<string, string> = {
    SLUICE_EVENT: event.kind,
    SLUICE_TIME: new Date(at).toISOString(),
  };
  const server = eventServer(event);
  if (server !== null) env.SLUICE_SERVER = server;
  for (const [k, v] of fields) env[envName(k)] = v;
  return { file: file ?? "", args: [...lead, event.kind, ...fields.map(([, v]) => v)], env };
}
