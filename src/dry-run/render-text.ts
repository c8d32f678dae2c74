/** The dry-run summary as text for a terminal. Pure: returns the string. */
import type { DigestCount, Summary } from "./report.js";

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const n = (x: number): string => x.toLocaleString("en-US");

function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= width ? one : `${one.slice(0, width - 1)}…`;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

export function renderText(s: Summary, options: { digestWidth?: number } = {}): string {
  const width = options.digestWidth ?? 80;
  const out: string[] = [];
  out.push(`policy   ${s.policy.file}  (sha256 ${s.policy.hash.slice(0, 12)})`);
  for (const input of s.inputs) {
    // the slow log holds finished statements only: no connects, quits or prepares, and its
    // database is the one after each statement ran
    const note = input.format === "slow" ? "; session state approximate" : "";
    const range = input.timeRange ? `, ${input.timeRange.first} – ${input.timeRange.last}` : "";
    out.push(`input    ${input.path}  (${input.format}${note}${range})`);
  }
  const guessed =
    s.sessionsWithoutConnect > 0
      ? `, ${n(s.sessionsWithoutConnect)} begun before the log (user and database guessed)`
      : "";
  out.push(`sessions ${n(s.sessions)}${guessed}`);
  out.push(
    `statements ${n(s.statements)}` +
      (s.executes > 0 ? ` (${n(s.executes)} prepared-statement executions)` : "") +
      (s.prepares > 0 ? `, ${n(s.prepares)} prepares` : ""),
  );
  out.push(
    `reads offloaded to replicas: ${n(s.readsToReplicas)} of ${n(s.reads)} reads (${pct(s.readShareToReplicas)})`,
  );
  out.push("");
  out.push("per pool");
  out.push(
    ...table(
      [
        ["pool", "role", "statements", "share"],
        ...s.pools.map((p) => [p.pool, p.role ?? "-", n(p.count), pct(p.share)]),
      ],
      new Set([2, 3]),
    ).map((l) => `  ${l}`),
  );
  out.push("");
  out.push("per rule");
  out.push(
    ...table(
      [
        ["rule", "statements", "share", "most frequent"],
        ...s.rules.map((r) => [
          r.count === 0 ? `${r.rule} (never matched)` : r.rule,
          n(r.count),
          pct(r.share),
          clip(r.topDigests[0]?.digest ?? "", Math.min(width, 60)),
        ]),
      ],
      new Set([1, 2]),
    ).map((l) => `  ${l}`),
  );
  out.push("");
  out.push("top digests per pool");
  for (const p of s.pools) {
    out.push(`  ${p.pool}`);
    out.push(...digestLines(p.topDigests, width));
  }
  out.push("");
  const f = s.safety;
  out.push("safety (should all be 0)");
  out.push(`  writes to a replica pool               ${n(f.writesToReplica)}`);
  out.push(`  locking reads to a replica pool        ${n(f.lockingToReplica)}`);
  out.push(`  read-write transaction on a replica    ${n(f.transactionToReplica)}`);
  out.push(`  same-connection needs on a replica     ${n(f.sameConnectionToReplica)}`);
  out.push(`  writes routing moved off a replica     ${n(f.overridden)}`);
  out.push(`  refused: write in a replica's trx      ${n(f.refused)}`);
  out.push("");
  out.push(
    `denied ${n(s.denied)}  rewritten ${n(s.rewritten)}  answered by Sluice ${n(s.responded)}  ` +
      `no server available ${n(s.unavailable)}`,
  );
  out.push(
    `classifier: ${n(s.unparsed)} not understood, ${n(s.partiallyParsed)} partly understood` +
      (s.invalidLines > 0 ? `; ${n(s.invalidLines)} input lines unreadable` : ""),
  );
  if (s.diff !== null) {
    const d = s.diff;
    out.push("");
    out.push(
      `changes against ${d.against.file} (sha256 ${d.against.hash.slice(0, 12)}): ${n(d.changed)} statements`,
    );
    if (d.matrix.length > 0) {
      out.push(
        ...table(
          [["from", "to", "statements"], ...d.matrix.map((m) => [m.from, m.to, n(m.count)])],
          new Set([2]),
        ).map((l) => `  ${l}`),
      );
      out.push("  digests that move");
      for (const c of d.digests)
        out.push(`    ${n(c.count).padStart(8)}  ${c.from} → ${c.to}  ${clip(c.digest, width)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function digestLines(digests: readonly DigestCount[], width: number): string[] {
  return digests.map((d) => `    ${n(d.count).padStart(8)}  ${clip(d.digest, width)}`);
}
