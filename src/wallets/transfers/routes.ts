import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { amountSchema } from "../../http/amount.js";
import { authOf, requireAuth } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { walletTransferNoteLengthMax } from "../../limits.js";
import { CurrencyCode, IdParams, StepUpBody, stepUpProof, WalletTransferSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";

/** Sending money to another wallet. */
export const walletTransferRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (
  app,
  { wallets },
) => {
  app.post(
    "/v1/wallet/transfers",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Send money to another wallet",
        description:
          "To a wallet id (wal_…), an email address or an E.164 phone number. Counts against the daily and monthly limits; above the step-up threshold it needs step_up. The recipient is notified.",
        body: Type.Object(
          {
            to: Type.String({ minLength: 1, maxLength: 254 }),
            amount: amountSchema(),
            currency: CurrencyCode,
            note: Type.Optional(Type.String({ maxLength: walletTransferNoteLengthMax })),
            step_up: Type.Optional(StepUpBody),
          },
          { additionalProperties: false },
        ),
        response: { 201: WalletTransferSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, (json: unknown) => json);
      const transfer = await wallets.transfers.send(
        authOf(request, "wallet").walletUserId,
        {
          to: request.body.to,
          amount: request.body.amount,
          currency: request.body.currency,
          note: request.body.note,
          stepUp: request.body.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
        },
        request.ip,
        answer.record,
      );
      return answer.respond(transfer);
    },
  );

  app.get(
    "/v1/wallet/transfers/:id",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "A transfer, sent or received",
        params: IdParams,
        response: { 200: WalletTransferSchema },
      },
    },
    async (request) => wallets.transfers.get(authOf(request, "wallet").walletUserId, request.params.id),
  );
};
