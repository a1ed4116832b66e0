import { withTransaction } from "../../db/tx.js";
import { newId } from "../../ids.js";
import { appendAudit } from "../audit.js";
import { checkAuditLogChain } from "./chain.js";
import { checkConfiguration } from "./configuration.js";
import { checkCredentials } from "./credentials.js";
import { checkDatabase } from "./database.js";
import { checkExposure } from "./exposure.js";
import {
  type AuditCheck,
  type AuditContext,
  type AuditDeps,
  type AuditReport,
  type Finding,
  type Severity,
  severities,
} from "./model.js";
import { checkTwoFactor } from "./two-factor.js";

/** Every area `coffer audit` looks at besides the audit log's chain, in the order the report lists them. */
const checks: readonly AuditCheck[] = [
  checkConfiguration,
  checkExposure,
  checkDatabase,
  checkCredentials,
  checkTwoFactor,
];

export type AuditSource = "cli" | "worker";

/** The report as `coffer audit --json` prints it, the database keeps it and GET /v1/ops/audit_reports/latest answers. */
export interface AuditReportObject {
  id: string;
  object: "audit_report";
  source: AuditSource;
  ok: boolean;
  production: boolean;
  counts: Record<Severity, number>;
  audit_log: { records: number; intact: boolean };
  findings: Finding[];
  checked_at: number;
}

export function auditReportObject(id: string, source: AuditSource, report: AuditReport): AuditReportObject {
  return {
    id,
    object: "audit_report",
    source,
    ok: report.ok,
    production: report.production,
    counts: report.counts,
    audit_log: report.auditLog,
    findings: report.findings,
    checked_at: Math.floor(report.checkedAt.getTime() / 1000),
  };
}

export type SecurityAudit = ReturnType<typeof createSecurityAudit>;

export function createSecurityAudit(deps: AuditDeps) {
  async function audit(): Promise<AuditReport> {
    const now = deps.clock.now();
    const live = await deps.pool.query<{ count: string }>(
      "SELECT count(*) FROM kyb_applications WHERE state = 'approved'",
    );
    const liveMerchants = Number(live.rows[0]?.count ?? 0);
    const context: AuditContext = {
      pool: deps.pool,
      config: deps.config,
      now,
      liveMerchants,
      production: deps.config.databaseUrl !== undefined || liveMerchants > 0,
    };
    const chain = await checkAuditLogChain(deps.pool);
    const found = [...chain.findings];
    for (const check of checks) found.push(...(await check(context)));
    // Most severe first; within a severity, in the order of the checks.
    const findings = severities.flatMap((severity) => found.filter((f) => f.severity === severity));
    const counts = Object.fromEntries(
      severities.map((severity) => [severity, findings.filter((f) => f.severity === severity).length]),
    ) as Record<Severity, number>;
    return {
      ok: counts.high === 0,
      checkedAt: now,
      production: context.production,
      counts,
      auditLog: chain.summary,
      findings,
    };
  }

  /** Audits now and keeps the report, with an audit record of the run, in one transaction. */
  async function run(source: AuditSource): Promise<AuditReportObject> {
    const report = await audit();
    const object = auditReportObject(newId("ar"), source, report);
    await withTransaction(deps.pool, async (tx) => {
      await tx.query(
        `INSERT INTO audit_reports (id, source, ok, high, medium, low, info, report, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          object.id,
          source,
          object.ok,
          object.counts.high,
          object.counts.medium,
          object.counts.low,
          object.counts.info,
          JSON.stringify(object),
          report.checkedAt,
        ],
      );
      await appendAudit(
        tx,
        {
          actorType: "system",
          actorId: null,
          merchantId: null,
          action: "security.audited",
          targetType: "audit_report",
          targetId: object.id,
          details: { source, ok: object.ok, ...object.counts },
        },
        report.checkedAt,
      );
    });
    return object;
  }

  async function latest(): Promise<{ report: AuditReportObject; checkedAt: Date } | undefined> {
    const result = await deps.pool.query<{ report: AuditReportObject; checked_at: Date }>(
      "SELECT report, checked_at FROM audit_reports ORDER BY seq DESC LIMIT 1",
    );
    const row = result.rows[0];
    return row ? { report: row.report, checkedAt: row.checked_at } : undefined;
  }

  return { run, latest };
}
