import { isScalar } from "yaml";
import { type Decoder, invalid, refine, string } from "./decoders.js";
import { ConfigCode } from "./diagnostic.js";
import type { LogDestination } from "./types.js";

/** A file that must exist at load time; the result is absolute (relative = config file's folder). */
export function existingFile(what: string): Decoder<string> {
  return refine(string(), (p, node, path, ctx) => {
    const abs = ctx.io.resolvePath(p);
    if (!ctx.io.exists(abs)) {
      ctx.report(
        ConfigCode.fileMissing,
        node,
        path,
        `${what} ${abs} does not exist`,
        p === abs ? null : "relative paths are resolved from the config file's folder",
      );
      return invalid;
    }
    return abs;
  });
}

/** `stdout`, or a file path whose folder exists (the file itself is created on start). */
export function logDestination(): Decoder<LogDestination> {
  return refine(string(), (p, node, path, ctx) => {
    if (p === "stdout") return { kind: "stdout" };
    const abs = ctx.io.resolvePath(p);
    const folder = abs.slice(0, Math.max(1, abs.lastIndexOf("/")));
    if (!ctx.io.exists(folder)) {
      ctx.report(
        ConfigCode.fileMissing,
        node,
        path,
        `folder ${folder} for the log file does not exist`,
        'create it first, or write "stdout"',
      );
      return invalid;
    }
    return { kind: "file", path: abs };
  });
}

/** A value that may be switched off with `off` (or YAML null), e.g. `slow_ms: off`. */
export function orOff<T>(decode: Decoder<T>): Decoder<T | null> {
  return (node, path, ctx) => {
    if (isScalar(node) && (node.value === null || node.value === "off")) return null;
    return decode(node, path, ctx);
  };
}
