import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, pageRequest } from "../../http/pagination.js";
import { auditRecordObject, listAuditRecords } from "../../merchants/audit-view.js";
import { AuditQuery } from "../../merchants/routes/audit.js";
import { AuditRecord } from "../../merchants/routes/schemas.js";
import { requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";

/** GET /v1/ops/audit_log: the platform's whole audit log (every merchant and the operators), for admins. */
export const operatorAuditRoutes: FastifyPluginAsyncTypebox<{ services: Pick<OperatorRouteDeps, "pool"> }> = async (
  app,
  { services },
) => {
  app.get(
    "/v1/ops/audit_log",
    {
      preHandler: requireOperator("audit_log.read"),
      schema: {
        tags: ["operators"],
        summary: "The whole audit log",
        querystring: Type.Object(
          { ...AuditQuery.properties, merchant: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: listOf(AuditRecord) },
      },
    },
    async (request) => {
      const page = await listAuditRecords(
        services.pool,
        { merchantId: request.query.merchant, action: request.query.action },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(auditRecordObject) };
    },
  );
};
