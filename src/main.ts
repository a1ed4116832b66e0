#!/usr/bin/env node
import { parseArgs } from "node:util";
import { analyticsCommand } from "./cli/analytics.js";
import { auditCommand } from "./cli/audit.js";
import { bankCommand } from "./cli/bank.js";
import type { CliContext, Command } from "./cli/command.js";
import { devCommand } from "./cli/dev.js";
import { commandHelp, helpCommand, overview } from "./cli/help.js";
import { keysCommand } from "./cli/keys.js";
import { listenCommand } from "./cli/listen.js";
import { migrateCommand } from "./cli/migrate.js";
import { operatorCommand } from "./cli/operator.js";
import { startCommand } from "./cli/start.js";
import { triggerCommand } from "./cli/trigger.js";
import { verifyCommand } from "./cli/verify.js";
import { versionCommand } from "./cli/version.js";
import { ConfigError } from "./config.js";

/** Every `coffer` command. To add one, write src/cli/<name>.ts exporting a Command and list it here. */
const commands: Readonly<Record<string, Command>> = {
  start: startCommand,
  migrate: migrateCommand,
  verify: verifyCommand,
  audit: auditCommand,
  analytics: analyticsCommand,
  keys: keysCommand,
  operator: operatorCommand,
  bank: bankCommand,
  dev: devCommand,
  listen: listenCommand,
  trigger: triggerCommand,
  version: versionCommand,
  help: helpCommand,
};

const context: CliContext = {
  commands,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h")
    return helpCommand.run({ values: {}, positionals: [] }, context);
  if (name === "--version") return versionCommand.run({ values: {}, positionals: [] }, context);

  const command = commands[name];
  if (!command) {
    context.err(`coffer: unknown command "${name}"\n\n${overview(context)}`);
    return 2;
  }

  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    context.err(`coffer ${name}: ${(error as Error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (args.values.help === true) {
    context.out(commandHelp(command));
    return 0;
  }

  try {
    return await command.run({ values: args.values, positionals: args.positionals }, context);
  } catch (error) {
    if (error instanceof ConfigError) {
      context.err(`coffer: ${error.message}`);
      return 2;
    }
    // A stack is for coffer's developers; a user reads what failed, and can ask for the stack when reporting it.
    const showStack = process.env.COFFER_DEBUG === "1" && error instanceof Error;
    const detail = showStack ? (error.stack ?? error.message) : error instanceof Error ? error.message : String(error);
    context.err(`coffer ${name} failed: ${detail}${showStack ? "" : " (COFFER_DEBUG=1 shows the stack trace)"}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // `start` keeps running after main returns; its signal handlers decide the exit code.
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`coffer: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
