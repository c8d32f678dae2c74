import type { Diagnostic } from "../../../src/policy/diagnostics.js";
import { lintPolicy } from "../../../src/policy/lint/index.js";
import { checkSources, compilePolicy } from "../../../src/policy/pipeline.js";

export const POOLS = `version 1
pool primary {
  role = primary
}
pool replicas {
  role = replica
  fallback = primary
}
`;

/** Diagnostics of one in-memory policy file: checker plus lint analyses on what checked. */
export function diagnose(text: string, path = "t.policy"): Diagnostic[] {
  const front = checkSources([{ path, text }]);
  return [...front.diagnostics, ...lintPolicy(front.partial).diagnostics];
}

export function codes(text: string): string[] {
  return diagnose(text).map((d) => d.code);
}

export function compileOk(text: string) {
  const result = compilePolicy([{ path: "t.policy", text }]);
  if (result.kind !== "ok")
    throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.bundle;
}
