import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import type { InputFormat, LogEvent, LogParser, TimeRange } from "../log-event.js";
import { DETECT_LINES, detectFormat } from "./detect.js";
import { GeneralLogParser } from "./general-log.js";
import { JsonLinesParser } from "./jsonl.js";
import { SlowLogParser } from "./slow-log.js";
import { SqlFileParser } from "./sql-file.js";

export interface ReadLogOptions {
  /** force a format instead of detecting it */
  readonly format?: InputFormat;
  /** told the number of (compressed) bytes read so far, for a progress bar */
  readonly onBytes?: (bytesRead: number) => void;
  /** told the format once it is known */
  readonly onFormat?: (format: InputFormat) => void;
  /** told, at the end, the first and last timestamps the log printed (when it prints any) */
  readonly onTimeRange?: (range: TimeRange) => void;
}

export function parserFor(format: InputFormat): LogParser {
  switch (format) {
    case "general":
      return new GeneralLogParser();
    case "slow":
      return new SlowLogParser();
    case "jsonl":
      return new JsonLinesParser();
    case "sql":
      return new SqlFileParser();
  }
}

/**
 * Reads one log (a path, or `-` for stdin) as batches of events, in order, in constant memory:
 * one chunk of the file at a time. gzip is recognised by its magic bytes, not the file name.
 */
export async function* readLog(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogEvent[]> {
  const raw: Readable = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 16 });
  let parser: LogParser | null = options.format === undefined ? null : parserFor(options.format);
  if (options.format !== undefined) options.onFormat?.(options.format);
  let lineNo = 0;
  let carry = "";
  // lines held back until enough are seen to detect the format
  let held: string[] = [];

  const feed = (lines: readonly string[], out: LogEvent[]): void => {
    for (const line of lines) {
      lineNo++;
      parser!.line(line.endsWith("\r") ? line.slice(0, -1) : line, lineNo, out);
    }
  };
  const detectIfReady = (force: boolean, out: LogEvent[]): void => {
    if (parser !== null || (!force && held.length < DETECT_LINES)) return;
    const format = detectFormat(held);
    options.onFormat?.(format);
    parser = parserFor(format);
    const lines = held;
    held = [];
    feed(lines, out);
  };

  for await (const text of decodedText(raw, options.onBytes)) {
    const lines = (carry + text).split("\n");
    carry = lines.pop()!;
    const out: LogEvent[] = [];
    if (parser === null) {
      held.push(...lines);
      detectIfReady(false, out);
    } else {
      feed(lines, out);
    }
    if (out.length > 0) yield out;
  }
  const out: LogEvent[] = [];
  if (carry !== "") {
    if (parser === null) held.push(carry);
    else feed([carry], out);
  }
  detectIfReady(true, out);
  parser!.end(out);
  const range = parser!.timeRange?.() ?? null;
  if (range !== null) options.onTimeRange?.(range);
  if (out.length > 0) yield out;
}

/** The stream's text, gunzipped when it starts with gzip's magic bytes 1f 8b. */
async function* decodedText(raw: Readable, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const chunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) return;
  let bytes = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    let next: IteratorResult<Buffer> = first;
    while (!next.done) {
      bytes += next.value.length;
      onBytes?.(bytes);
      yield next.value;
      next = await chunks.next();
    }
  };
  const head = first.value;
  const decoder = new StringDecoder("utf8");
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feeding = pipeline(Readable.from(counted()), gunzip);
    // errors surface through the gunzip stream's iterator; avoid an unhandled rejection here
    feeding.catch(() => {});
    for await (const chunk of gunzip) yield decoder.write(chunk as Buffer);
    await feeding;
  } else {
    for await (const chunk of counted()) yield decoder.write(chunk);
  }
  const rest = decoder.end();
  if (rest !== "") yield rest;
}
