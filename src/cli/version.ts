import { cofferVersion } from "../version.js";
import type { Command } from "./command.js";

export const versionCommand: Command = {
  summary: "Print coffer's version",
  usage: "coffer version",
  options: {},
  async run(_args, context) {
    context.out(`coffer ${cofferVersion}`);
    return 0;
  },
};
