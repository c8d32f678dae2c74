import { type Command, notBuiltYet } from "../command.js";

export const serveCommand: Command = notBuiltYet(
  "serve",
  "Run the proxy (sluice serve --config sluice.yaml)",
);
