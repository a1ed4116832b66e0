import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { auditRecordObject, listAuditRecords } from "../audit-view.js";
import { consoleActor, requireConsole } from "../permissions.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { AuditRecord } from "./schemas.js";

/** GET /v1/console/audit_log: the merchant's own audit records, newest first. */
export const AuditQuery = Type.Object(
  {
    ...listQueryProperties,
    action: Type.Optional(Type.String({ maxLength: 100, description: 'Only this action, e.g. "api_key.created".' })),
  },
  { additionalProperties: false },
);

export const consoleAuditRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "pool">;
}> = async (app, { services }) => {
  app.get(
    "/v1/console/audit_log",
    {
      preHandler: requireConsole("audit_log.read"),
      schema: {
        tags: ["console"],
        summary: "The audit log",
        description: "Sign-ins, two-factor changes, key and team changes, KYB decisions: append-only, hash-chained.",
        querystring: AuditQuery,
        response: { 200: listOf(AuditRecord) },
      },
    },
    async (request) => {
      const page = await listAuditRecords(
        services.pool,
        { merchantId: consoleActor(request).merchantId, action: request.query.action },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(auditRecordObject) };
    },
  );
};
