import { loadConfig } from "../config.js";
import { migrate } from "../db/migrate.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../runtime/database.js";
import type { Command } from "./command.js";

export const migrateCommand: Command = {
  summary: "Apply pending database migrations, then exit",
  usage: [
    "coffer migrate",
    "",
    "Applies the migrations this coffer ships to DATABASE_URL (or the embedded PostgreSQL), each once, under an",
    "advisory lock. `coffer start` does the same before serving; run this to migrate ahead of a rolling deploy.",
  ].join("\n"),
  options: {},
  async run(_args, context) {
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel });
    const db = await openDatabase(config, log, "coffer-migrate");
    try {
      const result = await migrate(db.pool);
      for (const m of result.applied) context.out(`applied ${String(m.version).padStart(4, "0")}_${m.name}`);
      context.out(`database ${db.description} is at migration ${result.current}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
