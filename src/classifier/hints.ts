import type { Hint } from "./facts.js";

/**
 * Routing hints written in comments: `/* sluice: route=primary *\/`, `-- sluice: route=replica`,
 * `# sluice: …`. After `sluice:` come key=value pairs separated by spaces or commas; a value may be
 * quoted ('…' or "…") to hold spaces; a bare word is the pair word=true. Keys are lower-cased,
 * values kept as written. A comment that does not start with `sluice:` is not a hint.
 */
export function parseHintComment(sql: string, start: number, end: number): Hint[] | null {
  let i = skipBlank(sql, start, end);
  const prefix = "sluice";
  if (end - i < prefix.length + 1) return null;
  for (let k = 0; k < prefix.length; k++) {
    if ((sql.charCodeAt(i + k) | 0x20) !== prefix.charCodeAt(k)) return null;
  }
  i = skipBlank(sql, i + prefix.length, end);
  if (sql.charCodeAt(i) !== 58 /* : */) return null;
  i++;
  const hints: Hint[] = [];
  while (true) {
    while (i < end && (isBlank(sql.charCodeAt(i)) || sql.charCodeAt(i) === 44)) i++;
    if (i >= end) break;
    const keyStart = i;
    while (i < end && isKeyChar(sql.charCodeAt(i))) i++;
    if (i === keyStart) {
      i++; // a stray character: skip it rather than loop forever
      continue;
    }
    const key = sql.slice(keyStart, i).toLowerCase();
    i = skipBlank(sql, i, end);
    if (sql.charCodeAt(i) !== 61 /* = */) {
      hints.push({ key, value: "true" });
      continue;
    }
    i = skipBlank(sql, i + 1, end);
    const q = sql.charCodeAt(i);
    let value: string;
    if (q === 39 || q === 34) {
      const close = sql.indexOf(String.fromCharCode(q), i + 1);
      const stop = close === -1 || close > end ? end : close;
      value = sql.slice(i + 1, stop);
      i = stop + 1;
    } else {
      const valueStart = i;
      while (i < end && !isBlank(sql.charCodeAt(i)) && sql.charCodeAt(i) !== 44) i++;
      value = sql.slice(valueStart, i);
    }
    hints.push({ key, value });
  }
  return hints.length > 0 ? hints : null;
}

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function skipBlank(sql: string, i: number, end: number): number {
  while (i < end && isBlank(sql.charCodeAt(i))) i++;
  return i;
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46
  );
}
