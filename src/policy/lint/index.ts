/** Runs every analysis over a checked policy. Order matters: dead rules are not analysed twice. */
import type { Diagnostic } from "../diagnostics.js";
import type { CheckedPolicy } from "../ir.js";
import { lintContext } from "./context.js";
import { contradictoryRules } from "./contradictory.js";
import { redundantRules, shadowedRules } from "./shadowed.js";
import { unsafeRoutes } from "./unsafe-route.js";
import { unusedPools } from "./unused-pool.js";

export interface LintReport {
  readonly diagnostics: readonly Diagnostic[];
  /** rules no feasible input reaches (contradictory or shadowed/upward-redundant) */
  readonly deadRules: ReadonlySet<number>;
}

export function lintPolicy(policy: CheckedPolicy): LintReport {
  const ctx = lintContext(policy);
  const contradictory = contradictoryRules(ctx);
  const shadowed = shadowedRules(ctx, contradictory.dead);
  const dead = new Set([...contradictory.dead, ...shadowed.dead]);
  const diagnostics = [
    ...contradictory.diagnostics,
    ...shadowed.diagnostics,
    ...redundantRules(ctx, dead),
    ...unsafeRoutes(ctx, dead),
    ...unusedPools(policy),
  ];
  return { diagnostics, deadRules: dead };
}
