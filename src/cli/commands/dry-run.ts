import { type Command, notBuiltYet } from "../command.js";

export const dryRunCommand: Command = notBuiltYet(
  "dry-run",
  "Replay query logs against a policy and report where each statement goes",
);
