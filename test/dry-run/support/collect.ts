import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputFormat, LogEvent, LogParser } from "../../../src/dry-run/log-event.js";
import { readLog } from "../../../src/dry-run/readers/read-log.js";

export const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** Every event of a log file, through the real streaming reader. */
export async function collect(path: string, format?: InputFormat): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  let detected: InputFormat | undefined;
  for await (const batch of readLog(path, {
    ...(format ? { format } : {}),
    onFormat: (f) => (detected = f),
  })) {
    all.push(...batch);
  }
  if (detected === undefined) throw new Error("readLog never reported a format");
  return all;
}

/** The events a parser makes of `text`, fed line by line (no I/O). */
export function parseText(parser: LogParser, text: string): LogEvent[] {
  const out: LogEvent[] = [];
  for (const [i, line] of text.split("\n").entries()) parser.line(line, i + 1, out);
  parser.end(out);
  return out;
}

/** Writes `content` to a fresh temp file and returns its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-dry-run-")), name);
  writeFileSync(path, content);
  return path;
}
