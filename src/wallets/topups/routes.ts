import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { amountSchema } from "../../http/amount.js";
import { authOf, requireAuth } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { CurrencyCode, IdParams, TopUpSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { topUpJson } from "./model.js";

/** Adding money from a linked bank account. */
export const walletTopUpRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.post(
    "/v1/wallet/top_ups",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Top up from a bank account",
        description:
          "Pending until the bank confirms; then the wallet is credited (top_up.succeeded) or nothing happens (top_up.failed). A pending top-up counts against the balance cap.",
        body: Type.Object(
          {
            funding_source: Type.String({ minLength: 1, maxLength: 64 }),
            amount: amountSchema(),
            currency: Type.Optional(CurrencyCode),
          },
          { additionalProperties: false },
        ),
        response: { 201: TopUpSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, topUpJson);
      const topUp = await wallets.topUps.create(
        authOf(request, "wallet").walletUserId,
        {
          fundingSourceId: request.body.funding_source,
          amount: request.body.amount,
          currency: request.body.currency,
        },
        answer.record,
      );
      return answer.respond(topUp);
    },
  );

  app.get(
    "/v1/wallet/top_ups/:id",
    {
      preHandler: requireAuth("wallet"),
      schema: { tags: [walletTag], summary: "A top-up", params: IdParams, response: { 200: TopUpSchema } },
    },
    async (request) => topUpJson(await wallets.topUps.get(authOf(request, "wallet").walletUserId, request.params.id)),
  );
};
