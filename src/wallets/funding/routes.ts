import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { listOf } from "../../http/pagination.js";
import { walletHolderNameLengthMax } from "../../limits.js";
import { CurrencyCode, FundingSourceSchema, IdParams, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { fundingSourceJson } from "./model.js";

/** Bank accounts linked to the wallet. */
export const walletFundingRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  const guard = { preHandler: requireAuth("wallet") };

  app.post(
    "/v1/wallet/funding_sources",
    {
      ...guard,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Link a bank account",
        description:
          "Needs identity tier 1. The account is verified by its bank before money can move (status pending_verification, then verified or verification_failed). The account number is stored encrypted and shown by its last four characters only.",
        body: Type.Object(
          {
            type: Type.Optional(Type.Literal("bank_account")),
            holder_name: Type.String({ minLength: 1, maxLength: walletHolderNameLengthMax }),
            bank_code: Type.String({ minLength: 1, maxLength: 20, description: "Routing, sort, bank or BIC code." }),
            account_number: Type.String({ minLength: 1, maxLength: 64, description: "Account number or IBAN." }),
            currency: CurrencyCode,
          },
          { additionalProperties: false },
        ),
        response: { 201: FundingSourceSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const source = await wallets.funding.link(authOf(request, "wallet").walletUserId, {
        holderName: body.holder_name,
        bankCode: body.bank_code,
        accountNumber: body.account_number,
        currency: body.currency,
      });
      reply.code(201);
      return fundingSourceJson(source);
    },
  );

  app.get(
    "/v1/wallet/funding_sources",
    {
      ...guard,
      schema: { tags: [walletTag], summary: "Linked bank accounts", response: { 200: listOf(FundingSourceSchema) } },
    },
    async (request) => {
      const sources = await wallets.funding.list(authOf(request, "wallet").walletUserId);
      return { object: "list" as const, data: sources.map(fundingSourceJson), has_more: false };
    },
  );

  app.get(
    "/v1/wallet/funding_sources/:id",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "A linked bank account",
        params: IdParams,
        response: { 200: FundingSourceSchema },
      },
    },
    async (request) =>
      fundingSourceJson(await wallets.funding.get(authOf(request, "wallet").walletUserId, request.params.id)),
  );

  app.delete(
    "/v1/wallet/funding_sources/:id",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "Unlink a bank account",
        description: "Top-ups and withdrawals already on their way through it still finish.",
        params: IdParams,
        response: { 200: FundingSourceSchema },
      },
    },
    async (request) =>
      fundingSourceJson(await wallets.funding.remove(authOf(request, "wallet").walletUserId, request.params.id)),
  );
};
