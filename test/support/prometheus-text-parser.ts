/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's
 * description and independent of src/admin's renderer, to check what /metrics serves. It throws
 * on anything Prometheus would reject or that the format forbids: bad names, bad escapes,
 * duplicate or late TYPE lines, a metric's lines split into groups, duplicate series, histogram
 * buckets that are not cumulative or lack +Inf, a +Inf bucket that disagrees with _count, a
 * missing final line feed.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string | null;
  /** a TYPE line was seen (only one is allowed) */
  typed: boolean;
  readonly samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = ["counter", "gauge", "histogram", "summary", "untyped"] as const;

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the last line must end with a line feed");
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: string | null = null;
  const lines = text.split("\n").slice(0, -1);

  const enter = (family: string, lineNo: number): ParsedFamily => {
    if (current !== family) {
      if (closed.has(family)) throw new Error(`line ${lineNo}: lines of ${family} are not in one group`);
      if (current !== null) closed.add(current);
      current = family;
    }
    let f = families.get(family);
    if (f === undefined) {
      f = { name: family, type: "untyped", help: null, typed: false, samples: [] };
      families.set(family, f);
    }
    return f;
  };

  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (m === null) return; // an ordinary comment
      const [, word, name = "", rest = ""] = m;
      if (!NAME.test(name) || NAME.exec(name)?.[0] !== name)
        throw new Error(`line ${lineNo}: bad metric name ${name}`);
      const f = enter(name, lineNo);
      if (word === "HELP") {
        if (f.help !== null) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        f.help = unescapeText(rest, false, lineNo);
      } else {
        const type = TYPES.find((t) => t === rest.trim());
        if (type === undefined) throw new Error(`line ${lineNo}: unknown type ${rest}`);
        if (f.samples.length > 0) throw new Error(`line ${lineNo}: TYPE of ${name} after its samples`);
        if (f.typed) throw new Error(`line ${lineNo}: second TYPE for ${name}`);
        f.typed = true;
        f.type = type;
      }
      return;
    }
    const sample = parseSampleLine(line, lineNo);
    const family = familyOf(sample.name, families);
    const f = enter(family, lineNo);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (f.samples.some((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}` === key)) {
      throw new Error(`line ${lineNo}: duplicate series ${key}`);
    }
    f.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

/** `x_bucket`, `x_sum`, `x_count` belong to histogram `x` when `x` was declared so. */
function familyOf(sampleName: string, families: Map<string, ParsedFamily>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const t = families.get(base)?.type;
    if (t === "histogram" || (t === "summary" && suffix !== "_bucket")) return base;
  }
  return sampleName;
}

function parseSampleLine(line: string, lineNo: number): ParsedSample {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) throw new Error(`line ${lineNo}: expected a metric name: ${line}`);
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === "{") {
    pos++;
    while (line[pos] !== "}") {
      const label = LABEL.exec(line.slice(pos))?.[0];
      if (label === undefined) throw new Error(`line ${lineNo}: bad label name at column ${pos + 1}`);
      if (label in labels) throw new Error(`line ${lineNo}: label ${label} given twice`);
      pos += label.length;
      if (line.slice(pos, pos + 2) !== '="') throw new Error(`line ${lineNo}: expected =" after ${label}`);
      pos += 2;
      let raw = "";
      while (line[pos] !== '"') {
        if (pos >= line.length) throw new Error(`line ${lineNo}: unterminated label value`);
        if (line[pos] === "\\") {
          raw += line.slice(pos, pos + 2);
          pos += 2;
        } else raw += line[pos++];
      }
      pos++;
      labels[label] = unescapeText(raw, true, lineNo);
      if (line[pos] === ",") pos++;
      else if (line[pos] !== "}") throw new Error(`line ${lineNo}: expected , or } at column ${pos + 1}`);
    }
    pos++;
  }
  const rest = line.slice(pos);
  const m = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (m === null)
    throw new Error(`line ${lineNo}: expected " value [timestamp]", got ${JSON.stringify(rest)}`);
  return { name, labels, value: parseValue(m[1] ?? "", lineNo) };
}

function parseValue(text: string, lineNo: number): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))
    throw new Error(`line ${lineNo}: bad value ${text}`);
  return Number(text);
}

function unescapeText(raw: string, quoteAllowed: boolean, lineNo: number): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quoteAllowed) return '"';
    throw new Error(`line ${lineNo}: invalid escape \\${c}`);
  });
}

function checkHistogram(f: ParsedFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      g.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name} in a histogram`);
  }
  for (const [key, g] of groups) {
    if (g.sum === undefined || g.count === undefined)
      throw new Error(`${f.name}${key}: missing _sum or _count`);
    const last = g.buckets[g.buckets.length - 1];
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY)
      throw new Error(`${f.name}${key}: no +Inf bucket last`);
    g.buckets.forEach(([le, n], i) => {
      const prev = g.buckets[i - 1];
      if (prev !== undefined && (le <= prev[0] || n < prev[1]))
        throw new Error(`${f.name}${key}: buckets not increasing/cumulative`);
    });
    if (last[1] !== g.count) throw new Error(`${f.name}${key}: +Inf bucket ${last[1]} != _count ${g.count}`);
  }
}
