import { type Command, notBuiltYet } from "../command.js";

export const fmtCommand: Command = notBuiltYet("fmt", "Format policy files canonically");
