import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { operatorRoutes } from "../../operators/routes/index.js";
import { accountRoutes } from "./account.js";
import { apiKeyRoutes } from "./api-keys.js";
import { apiVersionRoutes } from "./api-version.js";
import { consoleAuditRoutes } from "./audit.js";
import { consoleAuthRoutes } from "./console-auth.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { devMailboxRoutes } from "./dev-mailbox.js";
import { goLiveRoutes } from "./go-live.js";
import { kybRoutes } from "./kyb.js";
import { teamRoutes } from "./team.js";
import { twoFactorRoutes } from "./two-factor.js";

/**
 * The merchant platform's HTTP API: the merchant console (/v1/console/…), the merchant API's account
 * (/v1/account) and the operator console (/v1/ops/…). Registered by app.ts with the services.
 */
export const merchantPlatformRoutes: FastifyPluginAsyncTypebox<{ services: MerchantPlatformRouteDeps }> = async (
  app,
  options,
) => {
  // A POST without a body (no Content-Type) is read as {}, so "no parameters" validates against its schema.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.method !== "GET" && request.method !== "HEAD") request.body = {};
  });
  await app.register(consoleAuthRoutes, options);
  await app.register(twoFactorRoutes, options);
  await app.register(kybRoutes, options);
  await app.register(apiKeyRoutes, options);
  await app.register(apiVersionRoutes, options);
  await app.register(goLiveRoutes, options);
  await app.register(teamRoutes, options);
  await app.register(consoleAuditRoutes, options);
  await app.register(devMailboxRoutes, options);
  await app.register(accountRoutes, options);
  await app.register(operatorRoutes, options);
};
