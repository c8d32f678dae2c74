/**
 * MariaDB GTID positions (`domain-server-seqno`, comma separated, one entry per replication
 * domain), as read from @@gtid_current_pos, @@gtid_binlog_pos or Gtid_IO_Pos.
 *
 * Within one domain, sequence numbers only grow whichever server wrote them, so "how far" a
 * server is along a domain is its seqno there; two positions compare domain by domain. Positions
 * are a partial order: a server can be ahead in one domain and behind in another, and then
 * neither is "the most advanced" (the failover planner refuses to guess in that case).
 */

export interface GtidEntry {
  readonly domain: number;
  readonly serverId: number;
  readonly seqno: bigint;
}

/** One entry per domain, sorted by domain. */
export type GtidPosition = readonly GtidEntry[];

export type GtidParse =
  | { readonly kind: "ok"; readonly position: GtidPosition }
  | { readonly kind: "error"; readonly message: string };

const ENTRY = /^(\d+)-(\d+)-(\d+)$/;

export function parseGtidPosition(text: string): GtidParse {
  const byDomain = new Map<number, GtidEntry>();
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const m = ENTRY.exec(part);
    if (m === null) {
      return { kind: "error", message: `"${part}" is not a GTID (expected domain-server-seqno)` };
    }
    const entry: GtidEntry = { domain: Number(m[1]), serverId: Number(m[2]), seqno: BigInt(m[3] ?? "0") };
    const seen = byDomain.get(entry.domain);
    // A well-formed position has one entry per domain; if not, the highest seqno wins.
    if (seen === undefined || seen.seqno < entry.seqno) byDomain.set(entry.domain, entry);
  }
  const position = [...byDomain.values()].sort((a, b) => a.domain - b.domain);
  return { kind: "ok", position };
}

/** Parses, treating malformed text as the empty position (the probe keeps the raw text for diagnostics). */
export function gtidOrEmpty(text: string | null | undefined): GtidPosition {
  if (text === null || text === undefined) return [];
  const parsed = parseGtidPosition(text);
  return parsed.kind === "ok" ? parsed.position : [];
}

export function formatGtidPosition(position: GtidPosition): string {
  return position.map((e) => `${e.domain}-${e.serverId}-${e.seqno}`).join(",");
}

function seqnoIn(position: GtidPosition, domain: number): bigint {
  for (const e of position) if (e.domain === domain) return e.seqno;
  return 0n;
}

/** True when `a` has applied (or received) everything `b` has, in every domain of `b`. */
export function gtidReaches(a: GtidPosition, b: GtidPosition): boolean {
  return b.every((e) => seqnoIn(a, e.domain) >= e.seqno);
}

export type GtidOrder = "equal" | "ahead" | "behind" | "diverged";

/** Compares `a` to `b`: "ahead" means a ⊇ b and differs; "diverged" means each is ahead somewhere. */
export function compareGtid(a: GtidPosition, b: GtidPosition): GtidOrder {
  const aReachesB = gtidReaches(a, b);
  const bReachesA = gtidReaches(b, a);
  if (aReachesB && bReachesA) return "equal";
  if (aReachesB) return "ahead";
  if (bReachesA) return "behind";
  return "diverged";
}

/** Per-domain maximum: what a server has once it applies everything it has received. */
export function mergeGtid(a: GtidPosition, b: GtidPosition): GtidPosition {
  const byDomain = new Map<number, GtidEntry>();
  for (const e of [...a, ...b]) {
    const seen = byDomain.get(e.domain);
    if (seen === undefined || seen.seqno < e.seqno) byDomain.set(e.domain, e);
  }
  return [...byDomain.values()].sort((x, y) => x.domain - y.domain);
}
