/** A `sluice` sub-command: parses its own arguments and returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** A command whose implementation has not landed yet: says so and fails, so scripts notice. */
export function notBuiltYet(name: string, summary: string): Command {
  return {
    name,
    summary: `${summary} (not built yet)`,
    usage: `sluice ${name}`,
    async run() {
      process.stderr.write(`sluice ${name}: not built yet in this version of Sluice\n`);
      return 2;
    },
  };
}
