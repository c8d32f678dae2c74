import { statementRanges } from "../classifier/split.js";
import { tokenize } from "../classifier/tokenizer.js";

/**
 * Recognises `KILL [HARD|SOFT] [QUERY|CONNECTION] <id>` so the id (Sluice's connection id, which
 * is what clients see in the greeting) can be mapped to a backend thread. Other KILL forms
 * (KILL QUERY ID, KILL USER) go to the backend unchanged; a KILL among other statements is
 * refused. Also `SELECT CONNECTION_ID()`, which Sluice answers with its own id.
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

/**
 * Whether a COM_QUERY payload can hold a KILL among several statements (see killInMultiStatement):
 * a `;` followed by more text (a native search: every single statement pays next to nothing),
 * and the letters "kill" in any case somewhere.
 */
export function mayHoldKillAmongOthers(payload: Buffer): boolean {
  const semicolon = payload.indexOf(0x3b, 1);
  if (semicolon < 0 || semicolon >= payload.length - 1) return false;
  // ASCII letters: OR 0x20 folds upper case to lower
  for (let i = 1; i + 3 < payload.length; i++) {
    if ((payload[i]! | 0x20) !== 0x6b) continue; // k
    if (
      (payload[i + 1]! | 0x20) === 0x69 &&
      (payload[i + 2]! | 0x20) === 0x6c &&
      (payload[i + 3]! | 0x20) === 0x6c
    )
      return true;
  }
  return false;
}

/**
 * Whether a multi-statement text has a KILL among its statements. Such a KILL would reach the
 * server with Sluice's connection id read as one of the server's own thread ids (another client's
 * backend connection, perhaps), and it cannot be mapped in place: the target session's backend may
 * be on another server or on none. Compound statements (procedure bodies, BEGIN NOT ATOMIC) are
 * one statement here.
 */
export function killInMultiStatement(sql: string): boolean {
  const t = tokenize(sql);
  const ranges = statementRanges(t);
  if (ranges.length < 2) return false;
  return ranges.some((r) => t.kw[r.from] === "KILL");
}

/**
 * `SELECT CONNECTION_ID()` with an optional alias, alone: the question whose answer must be
 * Sluice's connection id (the one the handshake gave and KILL takes), not the id of whichever
 * backend connection the statement would run on.
 */
const CONNECTION_ID =
  /^\s*SELECT\s+(CONNECTION_ID\s*\(\s*\))(?:\s+(?:AS\s+)?(?:`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*)))?\s*;?\s*$/i;

/** Cheap pre-check on the payload (command byte first): short, and starts with S. */
export function mayAskConnectionId(payload: Buffer): boolean {
  if (payload.length >= 160) return false;
  for (let i = 1; i < payload.length; i++) {
    const b = payload[i]!;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b === 0x53 || b === 0x73; // S, s
  }
  return false;
}

/** The column name of a lone `SELECT CONNECTION_ID()` (the alias, or the expression as typed). */
export function connectionIdQuestion(sql: string): string | undefined {
  const m = CONNECTION_ID.exec(sql);
  if (m === null) return undefined;
  if (m[2] !== undefined) return m[2].replaceAll("``", "`");
  return m[3] ?? m[1];
}
