import { systemClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { loadMigrations, migrationsApplied } from "../db/migrate.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../runtime/database.js";
import { formatAuditReport } from "../security/audit-report/format.js";
import { createSecurityAudit } from "../security/audit-report/service.js";
import type { Command } from "./command.js";

export const auditCommand: Command = {
  summary: "Security audit: the audit log's chain, risky settings, old or unused keys, accounts without 2FA",
  usage: [
    "coffer audit [--json]",
    "",
    "Verifies the audit log's hash chain end to end and reports the first record that does not verify; looks for",
    "risky configuration (no master key, plain http, local webhook targets, the embedded database exposed …), live",
    "API keys and webhook secrets overdue for rotation, unused live API keys, and operators and merchant admins",
    "without a second factor. Each finding has an id, a severity (high, medium, low, info) and a fix; the list is in",
    "docs/SECURITY.md. Configuration is read from this command's environment: run it with the environment coffer",
    "starts with. Each report is kept; the operator console shows the latest. Exits 1 when a finding is high.",
    "",
    "  --json   print the report as JSON",
  ].join("\n"),
  options: { json: { type: "boolean" } },
  async run(args, context) {
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel });
    const db = await openDatabase(config, log, "coffer-audit", { existing: true });
    try {
      const migrations = await loadMigrations();
      const current = migrations.at(-1)?.version ?? 0;
      const ready = await migrationsApplied(db.pool, current).catch(() => false);
      if (!ready) {
        context.err("coffer audit: the database is not migrated to this coffer's schema; run `coffer migrate` first");
        return 1;
      }
      const report = await createSecurityAudit({ pool: db.pool, clock: systemClock, config }).run("cli");
      context.out(args.values.json === true ? JSON.stringify(report, null, 2) : formatAuditReport(report));
      return report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};
