import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { operatorAnalyticsRoutes } from "./analytics.js";
import { operatorAuditRoutes } from "./audit.js";
import { operatorAuditReportRoutes } from "./audit-reports.js";
import { operatorAuthRoutes } from "./auth.js";
import { operatorBankFileRoutes } from "./bank-files.js";
import type { OperatorRouteDeps } from "./deps.js";
import { operatorDirectoryRoutes } from "./directory.js";
import { operatorKybRoutes } from "./kyb.js";
import { operatorAdminRoutes } from "./operators.js";
import { operatorSystemHealthRoutes } from "./system-health.js";
import { operatorVerifyRoutes } from "./verify.js";

/**
 * Every /v1/ops route: operator sign-in and two-factor, operator management, the KYB queue, the audit log, merchant
 * and wallet user search, the file bank connector, verify runs, security audit reports and platform analytics.
 */
export const operatorRoutes: FastifyPluginAsyncTypebox<{ services: OperatorRouteDeps }> = async (app, options) => {
  await app.register(operatorAuthRoutes, options);
  await app.register(operatorAdminRoutes, options);
  await app.register(operatorKybRoutes, options);
  await app.register(operatorAuditRoutes, options);
  await app.register(operatorDirectoryRoutes, options);
  await app.register(operatorBankFileRoutes, options);
  await app.register(operatorVerifyRoutes, options);
  await app.register(operatorAuditReportRoutes, options);
  await app.register(operatorSystemHealthRoutes, options);
  await app.register(operatorAnalyticsRoutes, options);
};
