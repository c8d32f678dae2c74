import type { LogEvent } from "../../../src/dry-run/log-event.js";
import type { SentStatement } from "./workload.js";

/**
 * The statements a client sent that a reader did not find, in order, in one thread of the log.
 * Each client must map to one thread whose events contain the client's statements as a
 * subsequence (the server logs more, e.g. the CLI's `SELECT DATABASE()`). The slow log holds
 * finished statements only, so with `slow` just the `query` statements are looked for.
 */
export function missingStatements(
  events: readonly LogEvent[],
  sent: readonly SentStatement[],
  format: "general" | "slow",
): string[] {
  const byThread = new Map<string, LogEvent[]>();
  for (const e of events) {
    let list = byThread.get(e.thread);
    if (list === undefined) {
      list = [];
      byThread.set(e.thread, list);
    }
    list.push(e);
  }
  const missing: string[] = [];
  for (const client of new Set(sent.map((s) => s.client))) {
    const wanted = sent.filter((s) => s.client === client && (format === "general" || s.via === "query"));
    let best: string[] | null = null;
    for (const threadEvents of byThread.values()) {
      const notFound = subsequenceMisses(threadEvents, wanted);
      if (best === null || notFound.length < best.length) best = notFound;
    }
    missing.push(...(best ?? wanted.map((w) => `${client}: ${w.text}`)).map((m) => `${client}: ${m}`));
  }
  return missing;
}

function subsequenceMisses(events: readonly LogEvent[], wanted: readonly SentStatement[]): string[] {
  const misses: string[] = [];
  let i = 0;
  for (const w of wanted) {
    const at = events.findIndex((e, k) => k >= i && matches(e, w));
    if (at < 0) misses.push(`${w.via} ${w.text}`);
    else i = at + 1;
  }
  return misses;
}

function matches(e: LogEvent, w: SentStatement): boolean {
  switch (w.via) {
    case "query":
      return e.kind === "query" && e.sql === w.text;
    case "prepare":
      return e.kind === "prepare" && e.sql === w.text;
    case "init_db":
      return e.kind === "init_db" && e.schema === w.text;
  }
}
