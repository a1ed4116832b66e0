import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { amountSchema } from "../../http/amount.js";
import { authOf, requireAuth } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { CurrencyCode, IdParams, StepUpBody, stepUpProof, WithdrawalSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { withdrawalJson } from "./model.js";

/** Paying money out to a linked bank account. */
export const walletWithdrawalRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (
  app,
  { wallets },
) => {
  app.post(
    "/v1/wallet/withdrawals",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Withdraw to a bank account",
        description:
          "Holds the amount at once (it leaves the available balance); the hold is paid out when the bank confirms (withdrawal.succeeded) or released when the bank fails it (withdrawal.failed, the money is back). Counts against the daily and monthly limits; above the step-up threshold it needs step_up.",
        body: Type.Object(
          {
            funding_source: Type.String({ minLength: 1, maxLength: 64 }),
            amount: amountSchema(),
            currency: Type.Optional(CurrencyCode),
            step_up: Type.Optional(StepUpBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: WithdrawalSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, withdrawalJson);
      const withdrawal = await wallets.withdrawals.create(
        authOf(request, "wallet").walletUserId,
        {
          fundingSourceId: request.body.funding_source,
          amount: request.body.amount,
          currency: request.body.currency,
          stepUp: request.body.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
        },
        request.ip,
        answer.record,
      );
      return answer.respond(withdrawal);
    },
  );

  app.get(
    "/v1/wallet/withdrawals/:id",
    {
      preHandler: requireAuth("wallet"),
      schema: { tags: [walletTag], summary: "A withdrawal", params: IdParams, response: { 200: WithdrawalSchema } },
    },
    async (request) =>
      withdrawalJson(await wallets.withdrawals.get(authOf(request, "wallet").walletUserId, request.params.id)),
  );
};
