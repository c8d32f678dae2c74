import { type Command, notBuiltYet } from "../command.js";

export const demoCommand: Command = notBuiltYet("demo", "Start a local MariaDB cluster with Sluice in front");
