import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Services } from "../../runtime/services.js";
import { operatorAuditRoutes } from "./audit.js";
import { operatorAuthRoutes } from "./auth.js";
import { operatorKybRoutes } from "./kyb.js";
import { operatorAdminRoutes } from "./operators.js";

/** Every /v1/ops route: operator sign-in and two-factor, operator management, the KYB queue, the audit log. */
export const operatorRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, options) => {
  await app.register(operatorAuthRoutes, options);
  await app.register(operatorAdminRoutes, options);
  await app.register(operatorKybRoutes, options);
  await app.register(operatorAuditRoutes, options);
};
