import { loadConfig } from "../config.js";
import type { Command } from "./command.js";

export const startCommand: Command = {
  summary: "Run coffer: the HTTP API and the background workers",
  usage: [
    "coffer start [--port N] [--host H] [--role api|worker|all]",
    "",
    "  --port N      listen on port N (as PORT; 0 picks a free port; default 4000)",
    "  --host H      listen on address H (as HOST; default 127.0.0.1)",
    "  --role R      api: HTTP only; worker: background work only; all: both (as COFFER_ROLE; default all)",
    "",
    "Without DATABASE_URL, coffer starts an embedded PostgreSQL with its data under COFFER_DATA_DIR (.coffer).",
    "Stops gracefully on SIGTERM or Ctrl+C; a second signal stops at once.",
  ].join("\n"),
  options: {
    port: { type: "string" },
    host: { type: "string" },
    role: { type: "string" },
  },
  async run(args) {
    // Flags override the environment and go through the same validation, so both fail with the same message.
    const env = { ...process.env };
    if (typeof args.values.port === "string") env.PORT = args.values.port;
    if (typeof args.values.host === "string") env.HOST = args.values.host;
    if (typeof args.values.role === "string") env.COFFER_ROLE = args.values.role;
    // Loaded here, not at the top: the server is most of coffer, and the other commands (and `help`) start faster
    // without it.
    const { runCoffer } = await import("../runtime/server.js");
    await runCoffer(loadConfig(env));
    return 0; // keeps running: the signal handlers exit the process
  },
};
