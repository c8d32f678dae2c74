import { type Document, isAlias, isMap, isPair, isScalar, type LineCounter, type Node } from "yaml";
import { codeFrame } from "./code-frame.js";
import { type ConfigDiagnostic, type ConfigDiagnosticCode, formatPath } from "./diagnostic.js";
import { redactSecrets } from "./redact-secrets.js";

export type PathSeg = string | number;
export type Path = readonly PathSeg[];

/** What reading secrets and checking files needs: injected so decoding stays testable. */
export interface ConfigIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): { kind: "ok"; text: string } | { kind: "error"; message: string };
  /** is there a file (or folder) at this absolute path */
  exists(path: string): boolean;
  /** resolves a path written in the config against the config file's folder */
  resolvePath(path: string): string;
}

/** The text being decoded, for locations and code frames. */
export interface ConfigSource {
  readonly text: string;
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/**
 * Collects every diagnostic of one load (all errors at once, not the first) and turns document
 * nodes into file:line:col locations with a code frame.
 */
export class DecodeContext {
  readonly diagnostics: ConfigDiagnostic[] = [];
  /** the text code frames quote, secret values masked (made at the first diagnostic) */
  private shown: string | undefined;

  constructor(
    readonly source: ConfigSource,
    readonly io: ConfigIo,
  ) {}

  /** Reports at a node (or an explicit [start, end) offset span). */
  report(
    code: ConfigDiagnosticCode,
    at: Node | readonly [number, number] | null,
    path: Path,
    message: string,
    hint: string | null = null,
    severity: "error" | "warning" = "error",
  ): void {
    const span = at === null ? ([0, 0] as const) : isNodeSpan(at) ? spanOf(at) : at;
    const { line, col } = this.source.lineCounter.linePos(span[0]);
    const length = Math.max(1, firstLineLength(this.source.text, span[0], span[1]));
    this.diagnostics.push({
      code,
      severity,
      path: formatPath(path),
      message,
      hint,
      file: this.source.file,
      line,
      col,
      frame: codeFrame(this.shownText(), line, col, length),
    });
  }

  /** Diagnostics are printed and logged: a password written in the file must not be quoted. */
  private shownText(): string {
    this.shown ??= redactSecrets(this.source.text, this.source.doc);
    return this.shown;
  }

  /** Follows a YAML alias (`*name`) to what it refers to, so anchors work anywhere. */
  deref(node: Node): Node | null {
    if (!isAlias(node)) return node;
    const target = node.resolve(this.source.doc);
    return target === undefined ? null : (target as Node);
  }

  /** The node at a document path (for checks that run after decoding), or the nearest parent. */
  nodeAt(path: Path): Node | null {
    for (let n = path.length; n >= 0; n--) {
      const found = this.source.doc.getIn(path.slice(0, n), true);
      if (found !== undefined && found !== null && typeof found === "object") return found as Node;
    }
    return null;
  }

  /** The key node of `key` inside a mapping, to point at a key rather than its value. */
  keyNodeAt(path: Path): Node | null {
    const parent = this.nodeAt(path.slice(0, -1));
    const key = path[path.length - 1];
    if (parent === null || !isMap(parent)) return null;
    for (const pair of parent.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) return pair.key;
    }
    return null;
  }
}

function isNodeSpan(at: Node | readonly [number, number]): at is Node {
  return !Array.isArray(at);
}

function spanOf(node: Node): readonly [number, number] {
  const r = node.range;
  if (r === undefined || r === null) return [0, 0];
  return [r[0], r[1]];
}

/** Length of the span up to its first line break, so carets stay on the line they point at. */
function firstLineLength(text: string, start: number, end: number): number {
  const nl = text.indexOf("\n", start);
  const stop = nl === -1 ? end : Math.min(end, nl);
  return stop - start;
}
