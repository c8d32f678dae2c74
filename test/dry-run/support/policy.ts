import type { LoadedPolicy } from "../../../src/dry-run/run.js";
import { compilePolicy } from "../../../src/policy/pipeline.js";

/** Compiles policy text through the real pipeline; throws with the diagnostics when it fails. */
export function policyFromText(text: string, file = "test.policy"): LoadedPolicy {
  const result = compilePolicy([{ path: file, text }]);
  if (result.kind === "error") {
    throw new Error(
      `policy did not compile:\n${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`,
    );
  }
  return { file, bundle: result.bundle };
}

/** A plain read/write split that (unlike a careful one) forgets autocommit=0. */
export const SPLIT_POLICY = `version 1
pool primary { role = primary }
pool replicas { role = replica  fallback = primary }
rule writes when writes or locking != none -> route primary
rule transactions when in_transaction or transaction != none -> route primary
rule session when session_effects or family in [session, transaction] -> route primary
rule pinned when temporary_table or pinned -> route primary
rule reads when family = read -> route replicas
default -> route primary
`;

export const PRIMARY_ONLY_POLICY = `version 1
pool primary { role = primary }
default -> route primary
`;

/** Sends everything to the replicas: what a CI gate must catch. */
export const RECKLESS_POLICY = `version 1
pool primary { role = primary }
pool replicas { role = replica }
rule no_ddl when family = ddl -> deny "no DDL through the proxy"
default -> route replicas
`;
