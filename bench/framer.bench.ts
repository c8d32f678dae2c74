/**
 * Framer throughput: frames/s and MB/s pulling complete frames out of a byte stream, as the data
 * path does with every backend response. Three streams, each a realistic response shape cut into
 * socket-sized chunks:
 * - small: OK packets and short rows (point selects: 11–80 byte frames), 64 KiB chunks;
 * - rows: 200–1,200 byte rows (range scans), 64 KiB chunks;
 * - ragged: the small stream cut at pseudo-random 1–1,500 byte boundaries (frames split across
 *   chunks, the framer's copy path).
 * Times only push() + next(); reports wall and CPU rates. Writes bench/results/<date>-framer.json.
 *
 *   node --import tsx bench/framer.bench.ts [--mb 256]
 */
import { Framer } from "../src/protocol/framer.js";
import { machine, writeResult } from "./lib/results.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A stream of frames with payload sizes from `size`, about `bytes` long in total. */
function frames(
  bytes: number,
  size: (r: () => number) => number,
  seed: number,
): { data: Buffer; count: number } {
  const random = rng(seed);
  const parts: Buffer[] = [];
  let total = 0;
  let count = 0;
  while (total < bytes) {
    const len = size(random);
    const f = Buffer.allocUnsafe(4 + len);
    f.writeUIntLE(len, 0, 3);
    f[3] = count & 0xff;
    f.fill(0x61, 4);
    parts.push(f);
    total += f.length;
    count++;
  }
  return { data: Buffer.concat(parts), count };
}

function cut(data: Buffer, chunk: (r: () => number) => number, seed: number): Buffer[] {
  const random = rng(seed);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const n = Math.min(chunk(random), data.length - at);
    // a copy per chunk, as each socket read is its own Buffer
    out.push(Buffer.from(data.subarray(at, at + n)));
    at += n;
  }
  return out;
}

interface Result {
  readonly name: string;
  readonly frames: number;
  readonly megabytes: number;
  readonly framesPerSecond: number;
  readonly framesPerCpuSecond: number;
  readonly mbPerSecond: number;
  readonly mbPerCpuSecond: number;
}

function measure(name: string, chunks: readonly Buffer[], expected: number, repeat: number): Result {
  const bytes = chunks.reduce((a, c) => a + c.length, 0) * repeat;
  const pass = (): number => {
    const framer = new Framer();
    let n = 0;
    for (const c of chunks) {
      framer.push(c);
      for (let f = framer.next(); f !== undefined; f = framer.next()) n++;
    }
    return n;
  };
  pass(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  for (let i = 0; i < repeat; i++) count += pass();
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(c0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  if (count !== expected * repeat) throw new Error(`${name}: framed ${count}, expected ${expected * repeat}`);
  const mb = bytes / 1e6;
  const result = {
    name,
    frames: count,
    megabytes: Math.round(mb),
    framesPerSecond: Math.round(count / wall),
    framesPerCpuSecond: Math.round(count / cpu),
    mbPerSecond: Math.round(mb / wall),
    mbPerCpuSecond: Math.round(mb / cpu),
  };
  process.stdout.write(
    `${name.padEnd(8)} ${result.framesPerSecond.toLocaleString("en").padStart(12)} frames/s ${String(result.mbPerSecond).padStart(6)} MB/s (cpu: ${result.framesPerCpuSecond.toLocaleString("en")} frames/s)\n`,
  );
  return result;
}

const mb = arg("mb", 256);
const streamBytes = 32 * 1024 * 1024;
const repeat = Math.max(1, Math.round((mb * 1e6) / streamBytes));
const small = frames(streamBytes, (r) => 7 + Math.floor(r() * 74), 1);
const rows = frames(streamBytes, (r) => 200 + Math.floor(r() * 1000), 2);
const results = [
  measure(
    "small",
    cut(small.data, () => 65_536, 3),
    small.count,
    repeat,
  ),
  measure(
    "rows",
    cut(rows.data, () => 65_536, 4),
    rows.count,
    repeat,
  ),
  measure(
    "ragged",
    cut(small.data, (r) => 1 + Math.floor(r() * 1500), 5),
    small.count,
    repeat,
  ),
];
const file = writeResult("framer", "json", {
  bench: "framer",
  date: new Date().toISOString(),
  machine: machine(),
  note: "one process; push() + next() only (no socket I/O); the CPU-time rates are the fair ones on a shared machine",
  results,
});
process.stdout.write(`wrote ${file}\n`);
