import type { Command } from "../command.js";
import { classifyCommand } from "./classify.js";
import { demoCommand } from "./demo.js";
import { dryRunCommand } from "./dry-run.js";
import { fmtCommand } from "./fmt.js";
import { lintCommand } from "./lint.js";
import { serveCommand } from "./serve.js";
import { testCommand } from "./test.js";

/** Every sub-command, in the order `sluice --help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  lintCommand,
  dryRunCommand,
  fmtCommand,
  testCommand,
  demoCommand,
  classifyCommand,
];
