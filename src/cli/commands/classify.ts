import { type Command, notBuiltYet } from "../command.js";

export const classifyCommand: Command = notBuiltYet(
  "classify",
  "Print the classifier's facts for SQL statements",
);
