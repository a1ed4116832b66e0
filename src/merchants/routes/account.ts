import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ApiError } from "../../http/errors.js";
import { accountObject } from "../account.js";
import { kybStates } from "../model.js";
import { merchantOf, requireApiKey } from "../scopes.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";

/** GET /v1/account: the merchant behind the API key, its mode, KYB state and capabilities. */
const Closed = { additionalProperties: false } as const;
const Capability = Type.Union([Type.Literal("active"), Type.Literal("pending"), Type.Literal("inactive")]);

export const Account = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("account"),
    business_name: Type.String(),
    livemode: Type.Boolean({ description: "The mode of the key used." }),
    kyb_status: Type.Union(kybStates.map((s) => Type.Literal(s))),
    capabilities: Type.Object({ test_payments: Capability, live_payments: Capability }, Closed),
    api_version: Type.String({
      description: "The account's default API version: what requests that name no Coffer-Version are answered in.",
    }),
    created: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const accountRoutes: FastifyPluginAsyncTypebox<{ services: Pick<MerchantPlatformRouteDeps, "pool"> }> = async (
  app,
  { services },
) => {
  app.get(
    "/v1/account",
    {
      preHandler: requireApiKey("account", "read"),
      schema: {
        tags: ["account"],
        summary: "Your account",
        description: "Needs a secret key (or a restricted key with account: read).",
        response: { 200: Account },
      },
    },
    async (request) => {
      const { merchantId, livemode } = merchantOf(request);
      const account = await accountObject(services.pool, merchantId, livemode);
      if (!account) throw new ApiError("resource_not_found");
      return account;
    },
  );
};
