/**
 * Recognises `KILL [HARD|SOFT] [QUERY|CONNECTION] <id>` so the id (Sluice's connection id, which
 * is what clients see in the greeting) can be mapped to a backend thread. Other KILL forms
 * (KILL QUERY ID, KILL USER) go to the backend unchanged.
 */
export interface KillRequest {
  readonly kind: "kill";
  readonly scope: "query" | "connection";
  readonly hardness: "" | "HARD " | "SOFT ";
  readonly id: number;
}

const KILL = /^\s*(?:\/\*.*?\*\/\s*)*KILL\s+(?:(HARD|SOFT)\s+)?(?:(QUERY|CONNECTION)\s+)?(\d+)\s*;?\s*$/is;

/**
 * Whether a COM_QUERY payload (command byte first) can be a KILL parseKill would take: short, and
 * its first non-blank byte starts KILL or a comment. Spares every other statement a string decode
 * and the regular expression.
 */
export function mayBeKill(payload: Buffer): boolean {
  if (payload.length >= 256) return false;
  for (let i = 1; i < payload.length; i++) {
    const b = payload[i]!;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b === 0x4b || b === 0x6b || b === 0x2f; // K, k, /
  }
  return false;
}

export function parseKill(sql: string): KillRequest | undefined {
  if (sql.length > 200) return undefined;
  const m = KILL.exec(sql);
  if (m === null) return undefined;
  const id = Number(m[3]);
  if (!Number.isSafeInteger(id)) return undefined;
  const hard = m[1]?.toUpperCase();
  return {
    kind: "kill",
    scope: m[2]?.toUpperCase() === "QUERY" ? "query" : "connection",
    hardness: hard === "HARD" ? "HARD " : hard === "SOFT" ? "SOFT " : "",
    id,
  };
}

/** The statement Sluice runs on the backend for a mapped KILL. */
export function backendKillSql(req: KillRequest, threadId: number): string {
  return `KILL ${req.hardness}${req.scope === "query" ? "QUERY" : "CONNECTION"} ${threadId}`;
}
