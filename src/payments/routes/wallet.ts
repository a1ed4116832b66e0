import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { amountSchema } from "../../http/amount.js";
import { authOf, requireAuth } from "../../http/auth.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { paymentQrPayloadLengthMax } from "../../limits.js";
import { StepUpBody, stepUpProof, walletTag } from "../../wallets/schemas.js";
import { paymentCodeJson } from "../code-store.js";
import type { WalletPaymentJson } from "../model.js";
import type { PaymentServices } from "../service.js";
import { IdParams, PaymentCodeSchema, PaymentStatusSchema, WalletPaymentSchema } from "./schemas.js";

/**
 * The payer's routes in the wallet API (`Authorization: Bearer wst_…`): scan a merchant's QR code, see, confirm or
 * decline a payment, list one's own, and show one's payment code.
 */
const ScanBody = Type.Object(
  {
    payload: Type.String({
      minLength: 1,
      maxLength: paymentQrPayloadLengthMax,
      description: "What the QR code holds: a URL ending in /q/<token> (a payment) or /t/<token> (a till).",
    }),
    amount: Type.Optional(
      amountSchema({ description: "A till's QR code only: the amount you pay, typed in (the store's currency)." }),
    ),
  },
  { additionalProperties: false },
);
const TillQuery = Type.Object(
  {
    payload: Type.String({
      minLength: 1,
      maxLength: paymentQrPayloadLengthMax,
      description: "What the till's QR code holds (a URL ending in /t/<token>).",
    }),
  },
  { additionalProperties: false },
);
const WalletTillSchema = Type.Object(
  {
    object: Type.Literal("wallet_till"),
    livemode: Type.Boolean(),
    merchant: Type.Object({ name: Type.String() }, { additionalProperties: false }),
    store: Type.Object({ name: Type.String() }, { additionalProperties: false }),
    name: Type.String({ description: "The till's name." }),
    currency: Type.String({ description: "The amount you type is in this currency." }),
  },
  { $id: "WalletTill", additionalProperties: false },
);
const ConfirmBody = Type.Object({ step_up: Type.Optional(StepUpBody) }, { additionalProperties: false });
const ListQuery = Type.Object(
  { ...listQueryProperties, status: Type.Optional(PaymentStatusSchema) },
  { additionalProperties: false },
);

export const walletPaymentRoutes: FastifyPluginAsync<{ payments: PaymentServices }> = async (app, { payments }) => {
  const wallet = requireAuth("wallet");
  app.addSchema(WalletTillSchema);

  app.get<{ Querystring: Static<typeof TillQuery> }>(
    "/v1/wallet/till",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Look up a till's QR code",
        description:
          "Whose till a scanned static QR code is, and the currency of the amount to type; then POST /v1/wallet/scan with the payload and the amount.",
        querystring: TillQuery,
        response: { 200: Type.Ref(WalletTillSchema) },
      },
    },
    async (request) => payments.payer.till(authOf(request, "wallet").walletUserId, request.query.payload),
  );

  app.post<{ Body: Static<typeof ScanBody> }>(
    "/v1/wallet/scan",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Scan a merchant's QR code",
        description:
          "Answers the payment to show the payer: merchant, amount, description. Nothing is paid yet: confirm it next. A till's static QR code takes the amount you type: the scan makes the till's payment for it.",
        body: ScanBody,
        response: { 200: WalletPaymentSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, (json: WalletPaymentJson) => json);
      const shown = await payments.payer.scan(
        authOf(request, "wallet").walletUserId,
        request.body.payload,
        request.body.amount,
        answer.record,
      );
      return answer.send(shown);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    "/v1/wallet/payments",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Your payments",
        description: "Newest first. status=processing lists the payment codes waiting for your confirmation.",
        querystring: ListQuery,
        response: { 200: listOf(WalletPaymentSchema) },
      },
    },
    async (request) =>
      payments.payer.list(
        authOf(request, "wallet").walletUserId,
        { status: request.query.status },
        pageRequest(request.query),
      ),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/wallet/payments/:id",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "A payment, as its payer sees it",
        params: IdParams,
        response: { 200: WalletPaymentSchema },
      },
    },
    async (request) => payments.payer.get(authOf(request, "wallet").walletUserId, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ConfirmBody> }>(
    "/v1/wallet/payments/:id/confirm",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Pay (confirm) a payment",
        description:
          "Pays from your wallet, within your tier's limits. Above the step-up threshold it needs step_up (step_up_required says so). Confirming a payment you paid answers it as it is.",
        params: IdParams,
        body: ConfirmBody,
        response: { 200: WalletPaymentSchema },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, (json: WalletPaymentJson) => json);
      const paid = await payments.payer.confirm(
        authOf(request, "wallet").walletUserId,
        request.params.id,
        {
          stepUp: request.body?.step_up === undefined ? undefined : stepUpProof(request.body.step_up),
          ip: request.ip,
        },
        answer.record,
      );
      return answer.send(paid);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    "/v1/wallet/payments/:id/decline",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Decline a payment",
        description:
          "A payment waiting for your confirmation fails (payer_declined). An open QR or checkout payment stays open for others at the counter.",
        params: IdParams,
        response: { 200: WalletPaymentSchema },
      },
    },
    async (request) => payments.payer.decline(authOf(request, "wallet").walletUserId, request.params.id),
  );

  app.get(
    "/v1/wallet/payment_code",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Your payment code",
        description:
          "A fresh one-time code on every call (the one before stops working): 18 digits, valid one minute, for one payment. Show it as barcode or QR code to the merchant's scanner.",
        response: { 200: PaymentCodeSchema },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return paymentCodeJson(await payments.codes.issue(authOf(request, "wallet").walletUserId));
    },
  );
};
