import type { AuditReportObject } from "./service.js";

/** The text `coffer audit` prints: a summary line, then each finding with what to do, most severe first. */
export function formatAuditReport(report: AuditReportObject): string {
  const { counts } = report;
  const chain = report.audit_log.intact
    ? `audit log: ${report.audit_log.records} records, chain intact`
    : "audit log: chain BROKEN";
  const lines = [
    `coffer audit ${report.id}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info (${chain})`,
  ];
  for (const finding of report.findings) {
    lines.push(
      "",
      `${finding.severity.toUpperCase().padEnd(6)} [${finding.id}] ${finding.title}`,
      `       ${finding.detail}`,
      `       Fix: ${finding.remedy}`,
    );
  }
  lines.push(
    "",
    report.ok ? "OK: no high-severity finding." : `FAILED: ${counts.high} high-severity finding(s) to fix first.`,
  );
  return lines.join("\n");
}
