import type { ParseArgsConfig } from "node:util";

/**
 * One `coffer <name>` command. main.ts parses the arguments with node:util parseArgs (strict: unknown options are
 * refused) using `options`, then calls run. run returns the exit code: 0 done, 1 failed, 2 usage or config error.
 */
export interface Command {
  summary: string;
  /** The synopsis line(s) and option descriptions shown by `coffer help <name>`. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  allowPositionals?: boolean;
  run(args: CommandArgs, context: CliContext): Promise<number>;
}

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface CliContext {
  /** The command table, for help. */
  commands: Readonly<Record<string, Command>>;
  out(line: string): void;
  err(line: string): void;
}
