import { ApiRequestError } from "../../shared/api";
import { Alert, Badge, Card, DefinitionList } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { type AuditReport, type AuditSeverity, api } from "../api";
import { Loaded, When } from "../common";
import { useT } from "../messages";

/**
 * The latest `coffer audit` report (from the command line or the daily worker), most severe finding first. The
 * findings' texts come from coffer in English; the page's own words follow the language.
 */
const tones: Record<AuditSeverity, "bad" | "warn" | "info" | "neutral"> = {
  high: "bad",
  medium: "warn",
  low: "info",
  info: "neutral",
};

export function SecurityAuditPage() {
  const { t } = useT();
  const latest = useAsync(async () => {
    try {
      return await api.get<AuditReport>("/v1/ops/audit_reports/latest");
    } catch (error) {
      if (error instanceof ApiRequestError && error.code === "audit_report_never_run") return null;
      throw error;
    }
  }, []);
  return (
    <>
      <h1>{t("securityAudit.title")}</h1>
      <p>{t("securityAudit.intro")}</p>
      <Loaded state={latest}>
        {(report) => (report ? <Report report={report} /> : <Alert kind="info">{t("securityAudit.never")}</Alert>)}
      </Loaded>
    </>
  );
}

function Report({ report }: { report: AuditReport }) {
  const { t } = useT();
  const { counts } = report;
  return (
    <>
      <Alert kind={report.ok ? (report.findings.length === 0 ? "success" : "info") : "error"}>
        {report.ok ? t("securityAudit.summaryOk") : t("securityAudit.summaryHigh", { count: counts.high })}
      </Alert>
      <Card>
        <DefinitionList
          items={[
            [t("securityAudit.when"), <When key="w" at={report.checked_at} />],
            [t("securityAudit.by"), t(`securityAudit.source.${report.source}`)],
            [t("securityAudit.counts"), t("securityAudit.countsValue", { ...counts })],
            [
              t("securityAudit.auditLog"),
              report.audit_log.intact
                ? t("securityAudit.chainIntact", { records: report.audit_log.records })
                : t("securityAudit.chainBroken"),
            ],
          ]}
        />
      </Card>
      {report.findings.length > 0 ? (
        <Card>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("securityAudit.severity")}</th>
                  <th scope="col">{t("securityAudit.finding")}</th>
                  <th scope="col">{t("securityAudit.remedy")}</th>
                </tr>
              </thead>
              <tbody>
                {report.findings.map((finding) => (
                  <tr key={finding.id}>
                    <td>
                      <Badge tone={tones[finding.severity]}>{t(`securityAudit.severity.${finding.severity}`)}</Badge>
                    </td>
                    <td>
                      <strong>{finding.title}</strong> <code>{finding.id}</code>
                      <p className="field-hint">{finding.detail}</p>
                    </td>
                    <td>{finding.remedy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}
    </>
  );
}
