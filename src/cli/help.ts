import type { CliContext, Command } from "./command.js";

export const helpCommand: Command = {
  summary: "Show the commands, or the usage of one",
  usage: "coffer help [command]",
  options: {},
  allowPositionals: true,
  async run(args, context) {
    const name = args.positionals[0];
    if (name === undefined) {
      context.out(overview(context));
      return 0;
    }
    const command = context.commands[name];
    if (!command) {
      context.err(`coffer: unknown command "${name}"\n\n${overview(context)}`);
      return 2;
    }
    context.out(commandHelp(command));
    return 0;
  },
};

export function overview(context: CliContext): string {
  const names = Object.keys(context.commands);
  const width = Math.max(...names.map((n) => n.length));
  const rows = names.map((name) => `  ${name.padEnd(width)}  ${context.commands[name]?.summary ?? ""}`);
  return [
    "coffer: a self-hostable digital-wallet platform and merchant payment gateway",
    "",
    "Usage: coffer <command> [options]",
    "",
    "Commands:",
    ...rows,
    "",
    'Run "coffer help <command>" or "coffer <command> --help" for its options.',
    "Configuration comes from environment variables; see docs/configuration.md.",
  ].join("\n");
}

export function commandHelp(command: Command): string {
  return `${command.summary}\n\nUsage: ${command.usage}`;
}
