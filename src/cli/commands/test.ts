import { type Command, notBuiltYet } from "../command.js";

export const testCommand: Command = notBuiltYet("test", "Run policy unit tests");
