import { rebuildRollups } from "../analytics/rebuild.js";
import { loadConfig } from "../config.js";
import { loadMigrations, migrationsApplied } from "../db/migrate.js";
import { isId } from "../ids.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../runtime/database.js";
import type { Command } from "./command.js";

export const analyticsCommand: Command = {
  summary: "Rebuild the merchant analytics rollups from the payments and refunds",
  usage: [
    "coffer analytics rebuild [--merchant ID]",
    "",
    "Recomputes the analytics rollups (15-minute, daily, platform, new and returning payers) from the payments and",
    "refunds rows, for one merchant or for everyone. Safe to run while coffer is running: the analytics workers wait",
    "while it runs, dashboards read the old figures until it commits and the new ones after (docs/analytics.md).",
    "",
    "  --merchant ID   rebuild this merchant's rollups only (both modes); its share of the platform's rows is replaced",
  ].join("\n"),
  options: { merchant: { type: "string" } },
  allowPositionals: true,
  async run(args, context) {
    const [action, ...extra] = args.positionals;
    if (action !== "rebuild" || extra.length > 0) {
      context.err(`coffer analytics: expected "rebuild", got "${args.positionals.join(" ")}"`);
      return 2;
    }
    const merchant = args.values.merchant;
    if (merchant !== undefined && !isId(merchant, "mer")) {
      context.err(`coffer analytics: --merchant must be a merchant id (mer_…), got "${String(merchant)}"`);
      return 2;
    }
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-analytics", { existing: true });
    try {
      const migrations = await loadMigrations();
      const current = migrations.at(-1)?.version ?? 0;
      if (!(await migrationsApplied(db.pool, current).catch(() => false))) {
        context.err(
          "coffer analytics: the database is not migrated to this coffer's schema; run `coffer migrate` first",
        );
        return 1;
      }
      if (merchant !== undefined) {
        const known = await db.pool.query("SELECT 1 FROM merchants WHERE id = $1", [merchant]);
        if (known.rowCount === 0) {
          context.err(`coffer analytics: no merchant ${merchant}`);
          return 1;
        }
      }
      const result = await rebuildRollups(db.pool, { merchantId: merchant });
      context.out(
        `analytics rollups rebuilt for ${merchant ?? "every merchant"}: ${result.payments} payments and ${result.refunds} refunds folded in ${result.seconds} s`,
      );
      return 0;
    } finally {
      await db.close();
    }
  },
};
