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
