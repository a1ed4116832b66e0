import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { securityAuditCheckIntervalMs, securityAuditIntervalMs } from "../../limits.js";
import type { Worker } from "../../worker.js";
import type { SecurityAudit } from "./service.js";

/**
 * The daily security audit: every securityAuditCheckIntervalMs the worker looks at the last report and audits
 * again once it is securityAuditIntervalMs old. It audits with the running coffer's own configuration. Two workers
 * that look at once may both audit; a second report is harmless.
 */
export function securityAuditWorker(deps: { audit: SecurityAudit; clock: Clock; log: Logger }): Worker {
  return {
    name: "security-audit",
    intervalMs: securityAuditCheckIntervalMs,
    async run() {
      const last = await deps.audit.latest();
      if (last && deps.clock.now().getTime() - last.checkedAt.getTime() < securityAuditIntervalMs) return;
      const report = await deps.audit.run("worker");
      const log = report.ok ? deps.log.info.bind(deps.log) : deps.log.warn.bind(deps.log);
      log(
        { report: report.id, ...report.counts, findings: report.findings.map((f) => f.id) },
        report.ok
          ? "security audit: no high-severity finding"
          : "security audit: high-severity findings, run coffer audit",
      );
    },
  };
}
