import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { severities } from "../../security/audit-report/model.js";
import { operatorErrors } from "../errors.js";
import { requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";

/** The latest `coffer audit` report (from the command line or the daily worker), for admins. */
const Closed = { additionalProperties: false } as const;
const Severity = Type.Union(severities.map((s) => Type.Literal(s)));

const AuditReport = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("audit_report"),
    source: Type.Union([Type.Literal("cli"), Type.Literal("worker")]),
    ok: Type.Boolean({ description: "No finding of high severity." }),
    production: Type.Boolean({
      description: "Judged as a deployment: DATABASE_URL was set or a merchant was approved for live mode.",
    }),
    counts: Type.Object(
      { high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer() },
      Closed,
    ),
    audit_log: Type.Object({ records: Type.Integer(), intact: Type.Boolean() }, Closed),
    findings: Type.Array(
      Type.Object(
        {
          id: Type.String({ description: "Stable, e.g. master_key_not_set; docs/SECURITY.md lists them." }),
          severity: Severity,
          title: Type.String(),
          detail: Type.String(),
          remedy: Type.String(),
        },
        Closed,
      ),
    ),
    checked_at: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const operatorAuditReportRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "securityAudit">;
}> = async (app, { services }) => {
  app.get(
    "/v1/ops/audit_reports/latest",
    {
      preHandler: requireOperator("audit_report.read"),
      schema: {
        tags: ["operators"],
        summary: "The latest security audit (coffer audit)",
        description:
          "The report of the last `coffer audit`, from the command line or the daily worker: findings with their " +
          "severity and fix, most severe first.",
        response: { 200: AuditReport },
      },
    },
    async () => {
      const latest = await services.securityAudit.latest();
      if (!latest) throw operatorErrors.toApiError("audit_report_never_run");
      return latest.report;
    },
  );
};
