import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { opsSearchQueryLengthMax } from "../../limits.js";
import { WalletUserSchema } from "../../wallets/schemas.js";
import { walletUserJson } from "../../wallets/users/model.js";
import { merchantSummaryObject } from "../directory.js";
import { requireOperator } from "../permissions.js";
import type { OperatorRouteDeps } from "./deps.js";
import { MerchantSummary } from "./schemas.js";

/** Searching merchants and wallet users: by name, email address, phone number or id; newest first, paged. */
const tags = ["operators"];
const Closed = { additionalProperties: false } as const;

const SearchQuery = Type.Object(
  {
    ...listQueryProperties,
    query: Type.Optional(
      Type.String({
        maxLength: opsSearchQueryLengthMax,
        description: "A name, email address, phone number or id; empty lists everyone.",
      }),
    ),
  },
  Closed,
);

export const operatorDirectoryRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<OperatorRouteDeps, "operators">;
}> = async (app, { services }) => {
  const directory = services.operators.directory;

  app.get(
    "/v1/ops/merchants",
    {
      preHandler: requireOperator("merchants.read"),
      schema: {
        tags,
        summary: "Search merchants",
        description: "By business name, a member's email address or the merchant id; with KYB state and live status.",
        querystring: SearchQuery,
        response: { 200: listOf(MerchantSummary) },
      },
    },
    async (request) => {
      const page = await directory.searchMerchants(request.query.query ?? "", pageRequest(request.query));
      return { ...page, data: page.data.map(merchantSummaryObject) };
    },
  );

  app.get(
    "/v1/ops/wallet_users",
    {
      preHandler: requireOperator("wallet_users.read"),
      schema: {
        tags,
        summary: "Search wallet users",
        description: "By email address, phone number (its digits), name or the wallet user id.",
        querystring: SearchQuery,
        response: { 200: listOf(WalletUserSchema) },
      },
    },
    async (request) => {
      const page = await directory.searchWalletUsers(request.query.query ?? "", pageRequest(request.query));
      return { ...page, data: page.data.map(walletUserJson) };
    },
  );
};
