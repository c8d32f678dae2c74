/**
 * ER_UNKNOWN_ERROR with Sluice's reason: the honest answer when a statement reads an earlier
 * statement's results (see session-results.ts) that Sluice cannot give it.
 */
export function heldResultsGoneError(
  what: string,
  why: "gone" | "unsupported",
): { code: number; sqlstate: string; message: string } {
  const message =
    why === "gone"
      ? `Sluice lost the backend connection that held this session's ${what} (it closed before Sluice could read them off it), so this statement cannot read them`
      : `Sluice cannot run ${what}: the earlier statements' results it reads were read off the connection that produced them, and this statement can only read them there (README: "Earlier statements' results")`;
  return { code: 1105, sqlstate: "HY000", message };
}
