import { systemClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { loadMigrations, migrationsApplied } from "../db/migrate.js";
import { createCurrencyRegistry } from "../ledger/currencies.js";
import type { LedgerName } from "../ledger/model.js";
import { formatVerifyReport, verifyHoldGraceMsDefault } from "../ledger/verify.js";
import { createLogger } from "../logging.js";
import { createVerifyRuns } from "../operators/verify-runs.js";
import { openDatabase } from "../runtime/database.js";
import { parseStoredValueLimits } from "../stored-value/config.js";
import type { Command } from "./command.js";

export const verifyCommand: Command = {
  summary: "Prove the books: debits = credits, balances = their transfers, no limit broken, no hold late",
  usage: [
    "coffer verify [--ledger test|live] [--json] [--hold-grace-ms N]",
    "",
    "Checks the ledger from the database rows alone: per ledger and currency debits equal credits; every account's",
    "four balances equal the sums of its transfers; no balance breaks its account's flags; every post or void matches",
    "its hold; no hold is still pending past its timeout (plus --hold-grace-ms, default 60000, for the expiry worker);",
    "stored value: the platform float equals what platform cards were issued with, each breakage account holds its",
    "cards' breakage, every card has one wallet account of its own, no card is above its cap (plus refunds), and no",
    "expired card keeps money (COFFER_STORED_VALUE_LIMITS gives the caps, as for the server).",
    "Exits 0 when clean and 1 with a report of every violation. Safe to run while coffer is running. Each run is kept",
    "with its report; the operator console shows the latest.",
    "",
    "  --ledger test|live   check one ledger only (default: both)",
    "  --json               print the report as JSON",
  ].join("\n"),
  options: {
    ledger: { type: "string" },
    json: { type: "boolean" },
    "hold-grace-ms": { type: "string" },
  },
  async run(args, context) {
    const ledger = args.values.ledger;
    if (ledger !== undefined && ledger !== "test" && ledger !== "live") {
      context.err(`coffer verify: --ledger must be test or live, got "${String(ledger)}"`);
      return 2;
    }
    const graceRaw = args.values["hold-grace-ms"];
    const holdGraceMs = graceRaw === undefined ? verifyHoldGraceMsDefault : Number(graceRaw);
    if (!Number.isSafeInteger(holdGraceMs) || holdGraceMs < 0) {
      context.err(`coffer verify: --hold-grace-ms must be a whole number of milliseconds, got "${String(graceRaw)}"`);
      return 2;
    }
    const config = loadConfig();
    // Cards' balance caps, as the server reads them: verify checks no card holds more than its cap.
    const problems: string[] = [];
    const storedValueLimits = parseStoredValueLimits(
      process.env.COFFER_STORED_VALUE_LIMITS,
      createCurrencyRegistry(config.cryptoAssets),
      problems,
    );
    if (problems.length > 0) {
      context.err(`coffer verify: ${problems.join("; ")}`);
      return 2;
    }
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-verify", { existing: true });
    try {
      const migrations = await loadMigrations();
      const current = migrations.at(-1)?.version ?? 0;
      const ready = await migrationsApplied(db.pool, current).catch(() => false);
      if (!ready) {
        context.err("coffer verify: the database is not migrated to this coffer's schema; run `coffer migrate` first");
        return 1;
      }
      // Each run is kept, so the operator console shows when the books were last proven and how.
      const { report } = await createVerifyRuns({ pool: db.pool, clock: systemClock }).run(
        { source: "cli" },
        { ledger: ledger as LedgerName | undefined, holdGraceMs, storedValueLimits },
      );
      if (args.values.json === true) {
        context.out(JSON.stringify(report, (_key, value) => (typeof value === "bigint" ? String(value) : value), 2));
      } else {
        context.out(formatVerifyReport(report));
      }
      return report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};
