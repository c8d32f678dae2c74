import type { InputFormat } from "../log-event.js";
import { GENERAL_ENTRY } from "./general-log.js";
import { isServerBanner } from "./server-banner.js";

/** How many leading lines format detection looks at. */
export const DETECT_LINES = 64;

/**
 * Guesses a log's format from its first lines (`--input-format` overrides). Both server logs
 * start with the same banner, so the first line that is not a banner or blank decides: a slow
 * log's `# Time:` / `# User@Host:` header, a general log's entry line, a JSON object; anything
 * else is read as SQL. A log holding only the banner is a general log without entries.
 */
export function detectFormat(firstLines: readonly string[]): InputFormat {
  let sawBanner = false;
  for (const raw of firstLines.slice(0, DETECT_LINES)) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.trim() === "") continue;
    if (isServerBanner(text)) {
      sawBanner = true;
      continue;
    }
    if (/^# (Time|User@Host):/.test(text)) return "slow";
    if (GENERAL_ENTRY.test(text)) return "general";
    if (text.trimStart().startsWith("{")) return "jsonl";
    return sawBanner ? "general" : "sql";
  }
  return sawBanner ? "general" : "sql";
}
