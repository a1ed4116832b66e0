import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { guardFor, merchantScope, requireMerchant } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { type Payment, paymentJson } from "../../payments/model.js";
import { IdParams, PaymentSchema } from "../../payments/routes/schemas.js";
import type { PaymentServices } from "../../payments/service.js";
import { sandboxError } from "../../sandbox/errors.js";
import type { CryptoPayments } from "./service.js";

/**
 * Crypto payments' own routes (docs/crypto-payments.md): the refund address of a payment's held money (merchant API), and the
 * sandbox's pay helper (test mode only). Creating, reading and listing crypto payments are the payments routes'.
 */
const Closed = { additionalProperties: false } as const;

const RefundAddressBody = Type.Object(
  {
    address: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "The payer's address on the payment's chain, as the payer gave it: 0x and 40 hex digits (EIP-55 checksum checked when mixed case).",
    }),
  },
  Closed,
);

const CryptoPayBody = Type.Object(
  {
    amount: Type.Optional(
      Type.String({
        pattern: "^(exact|under|over|[1-9][0-9]{0,38})$",
        description:
          "exact (default): what is still due; under: half of it; over: a tenth more; or a number of the asset's minor units.",
      }),
    ),
    late: Type.Optional(
      Type.Boolean({ description: "Expire the payment first, so the money arrives late (outcome paid_late)." }),
    ),
  },
  Closed,
);

const requireTestMode = guardFor(
  ["secret_key", "console"],
  async (request: FastifyRequest) => {
    if (merchantScope(request, "payments", "write").livemode) throw sandboxError("test_mode_only");
  },
  "test mode only; a restricted key needs payments: write",
);

export const cryptoPaymentRoutes: FastifyPluginAsync<{
  cryptoPayments: CryptoPayments;
  payments: PaymentServices;
}> = async (app, { cryptoPayments, payments }) => {
  app.addSchema(PaymentSchema);
  const paymentRef = Type.Ref(PaymentSchema);
  const links = payments.links;

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RefundAddressBody> }>(
    "/v1/payments/:id/crypto_refund_address",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Refund a crypto payment's held money",
        description:
          "For a crypto payment that ended with money that is not yours (overpaid, underpaid or paid late: crypto.amount_held): sends it, less the asset's network fee, to the address the payer gave you. crypto.refund shows it pending; payment.crypto_refund_sent follows once the transaction has its confirmations. A failed send leaves the money held, to be refunded again.",
        params: IdParams,
        body: RefundAddressBody,
        response: { 200: paymentRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, (p: Payment) => paymentJson(p, links));
      const payment = await cryptoPayments.requestRefund(
        merchantScope(request, "payments", "write"),
        request.params.id,
        request.body.address,
        answer.record,
      );
      return answer.send(payment);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CryptoPayBody> }>(
    "/v1/test_helpers/payments/:id/crypto_pay",
    {
      preHandler: requireMerchant("payments", "write"),
      preValidation: requireTestMode,
      schema: {
        tags: ["test_helpers"],
        summary: "Pay a crypto payment on the sandbox chain",
        description:
          "Sends real sandbox money to the payment's address (ETH from the sandbox funder, test USDC minted to it), mines its confirmations and follows the chain: exact, under, over, or late (the payment expires first). The answer is the payment after it.",
        params: IdParams,
        body: CryptoPayBody,
        response: { 200: paymentRef },
      },
    },
    async (request) => {
      const { payment } = await cryptoPayments.sandboxPay(
        merchantScope(request, "payments", "write"),
        request.params.id,
        { amount: request.body?.amount, late: request.body?.late },
      );
      return paymentJson(payment, links);
    },
  );
};
