/** Shell: reads a policy file and everything it imports (the pipeline itself never touches the disk). */
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { resolveImport, type SourceFile } from "./pipeline.js";
import { parseFile } from "./syntax/parse-file.js";

export async function loadPolicySources(entry: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  const seen = new Set<string>();
  const visit = async (path: string): Promise<void> => {
    const normal = posix.normalize(path);
    if (seen.has(normal)) return;
    seen.add(normal);
    let text: string;
    try {
      text = await readFile(normal, "utf8");
    } catch {
      return; // the pipeline reports a missing import at the import's span
    }
    out.push({ path: normal, text });
    for (const item of parseFile(normal, text).file.items)
      if (item.kind === "import") await visit(resolveImport(normal, item.path.value));
  };
  await visit(entry);
  return out;
}
