import { type Document, isMap, isPair, isScalar, isSeq, type Node, visit } from "yaml";

/** Keys whose values are credentials: what is written there never appears in a diagnostic. */
const SECRET_KEY = /pa?s+w(?:or)?d|^pass$|pwd|secret|token|credential|private[_-]?key|api[_-]?key/i;
/** …except those that only say where the credential is (an environment variable, a file). */
const REFERENCE_KEY = /_(?:env|file)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE_KEY.test(key);
}

/**
 * The config text as code frames show it: the value of every secret-looking key (`password:`,
 * `password_hash:`, `token:`, a misspelt `pasword:`…) masked with `*`, characters for
 * characters, so lines, columns and carets stay where they were. Found through the parsed
 * document (flow mappings, block scalars) and, for text YAML could not parse, line by line.
 */
export function redactSecrets(text: string, doc: Document.Parsed): string {
  // UTF-16 units, as the parser's ranges count
  const out = text.split("");
  const mask = (start: number, end: number) => {
    for (let i = Math.max(0, start); i < Math.min(end, out.length); i++)
      if (out[i] !== "\n" && out[i] !== "\r") out[i] = "*";
  };
  const maskNode = (node: unknown): void => {
    if (isScalar(node)) {
      const r = (node as Node).range;
      if (r) mask(r[0], r[1]);
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) maskNode(isPair(item) ? item.value : item);
    }
  };
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && isSecretKey(String(pair.key.value))) maskNode(pair.value);
    },
  });
  const LINE = /^(\s*(?:-\s+)?["']?([A-Za-z0-9_-]+)["']?\s*:[ \t]*)(\S.*)$/gm;
  for (const m of text.matchAll(LINE)) {
    const key = m[2] ?? "";
    if (!isSecretKey(key)) continue;
    const start = (m.index ?? 0) + (m[1]?.length ?? 0);
    mask(start, start + (m[3]?.length ?? 0));
  }
  return out.join("");
}
