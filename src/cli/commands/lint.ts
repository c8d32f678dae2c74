import { type Command, notBuiltYet } from "../command.js";

export const lintCommand: Command = notBuiltYet(
  "lint",
  "Check policy files for errors, shadowed rules and unsafe routes",
);
