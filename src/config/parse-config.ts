import { LineCounter, type Node, parseDocument } from "yaml";
import { type ConfigIo, DecodeContext } from "./decode-context.js";
import { invalid } from "./decoders.js";
import { ConfigCode, type ConfigDiagnostic } from "./diagnostic.js";
import { sluiceConfig } from "./root.js";
import type { SluiceConfig } from "./types.js";

export type ConfigResult =
  | { readonly kind: "ok"; readonly config: SluiceConfig; readonly warnings: readonly ConfigDiagnostic[] }
  | { readonly kind: "invalid"; readonly diagnostics: readonly ConfigDiagnostic[] };

/**
 * YAML text → validated config or every diagnostic. Pure apart from the injected `io` (secrets and
 * file existence), so tests drive it with a fake environment.
 */
export function parseConfig(
  text: string,
  file: string,
  io: ConfigIo,
  source: string | null = null,
): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const ctx = new DecodeContext({ text, file, doc, lineCounter }, io);
  for (const e of doc.errors) {
    const duplicate = e.code === "DUPLICATE_KEY";
    ctx.report(
      ConfigCode.yamlSyntax,
      [e.pos[0], e.pos[1]],
      [],
      duplicate ? "a key appears twice in the same mapping" : firstLine(e.message),
      duplicate ? "remove one of them; YAML would otherwise silently keep the last" : null,
    );
  }
  if (doc.errors.length > 0) return { kind: "invalid", diagnostics: ctx.diagnostics };
  const root = doc.contents as Node | null;
  if (root === null) {
    ctx.report(
      ConfigCode.wrongType,
      null,
      [],
      "the configuration is empty",
      "start from sluice.example.yaml",
    );
    return { kind: "invalid", diagnostics: ctx.diagnostics };
  }
  const decoded = sluiceConfig(root, [], ctx);
  const errors = ctx.diagnostics.filter((d) => d.severity === "error");
  const warnings = ctx.diagnostics.filter((d) => d.severity === "warning");
  if (decoded === invalid || errors.length > 0) return { kind: "invalid", diagnostics: ctx.diagnostics };
  return { kind: "ok", config: { source, ...decoded }, warnings };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
