import type { WorkerReply } from "./messages.js";
import type { WorkerStatus } from "./worker-processes.js";

/**
 * Pure: why a reload cannot be committed, from every worker's answer to "prepare". A serving
 * worker must have compiled exactly the primary's hash; one that did not answer in time blocks
 * the reload too (it could not be told to swap, and workers must agree). Workers not serving
 * (starting, restarting) are left out: they start with the texts current when they do.
 */
export function reloadProblems(
  answers: readonly { readonly slot: number; readonly reply: WorkerReply | null }[],
  hash: string,
  workers: readonly WorkerStatus[],
): string[] {
  return answers.flatMap(({ slot, reply }) => {
    const status = workers.find((w) => w.slot === slot);
    const who = `worker ${slot}${status?.pid == null ? "" : ` (pid ${status.pid})`}`;
    if (reply === null)
      return status?.state === "serving"
        ? [`${who} did not answer the reload in time; nothing was swapped`]
        : [];
    if (reply.kind === "prepare_failed") return [`${who} could not load the new version:\n${reply.report}`];
    if (reply.kind !== "prepared") return [`${who} answered the reload with ${reply.kind}`];
    if (reply.hash !== hash)
      return [
        `${who} compiled the policy to hash ${reply.hash}, the primary to ${hash}; nothing was swapped`,
      ];
    return [];
  });
}
