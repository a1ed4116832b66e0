import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { amountSchema } from "../../http/amount.js";
import { merchantScope, requireMerchant } from "../../http/auth.js";
import {
  type CreatedRange,
  createdFilterProperties,
  createdRange,
  maxDefined,
  minDefined,
} from "../../http/created-filter.js";
import { ApiError } from "../../http/errors.js";
import { answerWithEffect } from "../../http/idempotency.js";
import { MetadataInput } from "../../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { unixSecondsSchema } from "../../http/timestamps.js";
import { apiVersionAtLeast, apiVersionPaymentRetries, apiVersionUniformLists } from "../../http/versioning.js";
import { payoutDescriptionLengthMax, refundDescriptionLengthMax } from "../../limits.js";
import { RetryAfterError } from "../create.js";
import { type Payment, paymentJson } from "../model.js";
import { payoutJson } from "../payouts/model.js";
import { refundJson } from "../refunds/model.js";
import type { PaymentServices } from "../service.js";
import {
  BalanceSchema,
  CancelBody,
  CreatePaymentBody,
  CurrencyCode,
  IdParams,
  PaymentMethodSchema,
  PaymentSchema,
  PaymentStatusSchema,
  PayoutScheduleSchema,
  PayoutSchema,
  RefundSchema,
  refundReasons,
} from "./schemas.js";

/**
 * The merchant API of payments: payments, refunds, the balance, payouts and the payout schedule. Secret keys,
 * restricted keys with the resource's scope, and console sessions (merchantScope in src/http/auth.ts). Another
 * merchant's or mode's object is a 404, like one that does not exist.
 */
const CreateBody = CreatePaymentBody(amountSchema());
const CaptureBody = Type.Object(
  {
    amount_to_capture: Type.Optional(
      amountSchema({
        description: "How much of the hold to take (default: all of it); the rest returns to the payer.",
      }),
    ),
  },
  { additionalProperties: false },
);
const PaymentListQuery = Type.Object(
  {
    ...listQueryProperties,
    status: Type.Optional(PaymentStatusSchema),
    method: Type.Optional(PaymentMethodSchema),
    ...createdFilterProperties,
    created_gte: Type.Optional(
      unixSecondsSchema("API version 2026-11-01 only (use created[gte]): created at or after this time.", {
        deprecated: true,
      }),
    ),
    created_lt: Type.Optional(
      unixSecondsSchema("API version 2026-11-01 only (use created[lt]): created before this time.", {
        deprecated: true,
      }),
    ),
    payment_link: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "Only the payments made through this link (plk_…)." }),
    ),
    store: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "Only the payments taken at this store (sto_…)." }),
    ),
    till: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "Only the payments taken at this till (til_…)." }),
    ),
  },
  { additionalProperties: false },
);
/**
 * The payments list's created range. created_gte and created_lt were its own names before every list took
 * created[…]; API version 2026-11-01 still accepts them (together with created[…], the range is where both agree),
 * later versions refuse them like any unknown parameter.
 */
function paymentsCreatedRange(request: FastifyRequest<{ Querystring: Static<typeof PaymentListQuery> }>): CreatedRange {
  const { created_gte: legacyGte, created_lt: legacyLt } = request.query;
  if (legacyGte === undefined && legacyLt === undefined) return createdRange(request.query);
  if (apiVersionAtLeast(request.apiVersion, apiVersionUniformLists)) {
    const name = legacyGte === undefined ? "created_lt" : "created_gte";
    throw new ApiError(
      "parameter_unknown",
      `${name} was replaced by created[${name.slice("created_".length)}] in API version ${apiVersionUniformLists}.`,
      name,
    );
  }
  return createdRange({
    ...request.query,
    "created[gte]": maxDefined(request.query["created[gte]"], legacyGte),
    "created[lt]": minDefined(request.query["created[lt]"], legacyLt),
  });
}

const RefundBody = Type.Object(
  {
    payment: Type.String({ minLength: 1, maxLength: 64, description: "The payment to refund (pay_…)." }),
    amount: Type.Optional(amountSchema({ description: "Default: all that is left to refund." })),
    reason: Type.Optional(
      Type.Unsafe<(typeof refundReasons)[number]>({
        type: "string",
        enum: [...refundReasons],
        description: "Why (default requested_by_customer).",
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: refundDescriptionLengthMax })),
    metadata: Type.Optional(MetadataInput),
  },
  { additionalProperties: false },
);
const RefundListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    payment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this payment's refunds." })),
  },
  { additionalProperties: false },
);
const PayoutBody = Type.Object(
  {
    amount: amountSchema(),
    currency: CurrencyCode,
    description: Type.Optional(Type.String({ maxLength: payoutDescriptionLengthMax })),
    metadata: Type.Optional(MetadataInput),
  },
  { additionalProperties: false },
);
/** POST /v1/payments|refunds|payouts/{id}: what can change once an object exists. */
const MetadataUpdateBody = Type.Object({ metadata: Type.Optional(MetadataInput) }, { additionalProperties: false });
/** POST /v1/payments/{id}: metadata, and ending a payment's retries (docs/adr/0028). */
const PaymentUpdateBody = Type.Object(
  {
    metadata: Type.Optional(MetadataInput),
    allow_retries: Type.Optional(
      Type.Literal(false, {
        description: "false: the payer can no longer pay this payment again after a failure or expiry (for good).",
      }),
    ),
  },
  { additionalProperties: false },
);
const PayoutListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    status: Type.Optional(Type.Unsafe<string>({ type: "string", enum: ["pending", "paid", "failed"] })),
  },
  { additionalProperties: false },
);
const ScheduleBody = Type.Object(
  { interval: Type.Unsafe<"manual" | "daily">({ type: "string", enum: ["manual", "daily"] }) },
  { additionalProperties: false },
);

/** Runs a handler, giving a 429's Retry-After header to the reply. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RetryAfterError) reply.header("Retry-After", String(error.retryAfterS));
    throw error;
  }
}

export const merchantPaymentRoutes: FastifyPluginAsync<{ payments: PaymentServices }> = async (app, { payments }) => {
  app.addSchema(PaymentSchema);
  app.addSchema(RefundSchema);
  app.addSchema(PayoutSchema);
  app.addSchema(BalanceSchema);
  app.addSchema(PayoutScheduleSchema);
  const links = payments.links;
  const paymentRef = Type.Ref(PaymentSchema);

  app.post<{ Body: Static<typeof CreateBody> }>(
    "/v1/payments",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Create a payment",
        description:
          "qr: answers a QR code for the payer to scan. checkout: answers checkout_url, the hosted page. payment_code: charges the payer whose code your POS scanned — at once up to the payer's password-free amount, else it waits in processing for the payer to confirm (canceled by coffer after 60 s). crypto: answers crypto, an address of the payment's own, the amount of asset to send and an EIP-681 QR code; it succeeds once that much has its confirmations (docs/crypto-payments.md).",
        body: CreateBody,
        response: { 201: paymentRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payments", "write");
      const body = request.body;
      const answer = answerWithEffect(request, reply, 201, (p: Payment) => paymentJson(p, links));
      const payment = await withRetryAfter(reply, () =>
        payments.payments.create(
          scope,
          {
            amount: body.amount,
            currency: body.currency,
            method: body.method,
            captureMethod: body.capture_method,
            description: body.description,
            metadata: body.metadata as Record<string, string> | undefined,
            returnUrl: body.return_url,
            expiresIn: body.expires_in,
            paymentCode: body.payment_code,
            till: body.till,
            discounts: body.discounts,
            asset: body.asset,
            chain: body.chain,
            // Paying again (docs/adr/0028): checkout payments allow it by default from API version 2026-12-14.
            allowRetries:
              body.allow_retries ??
              (body.method === "checkout" && apiVersionAtLeast(request.apiVersion, apiVersionPaymentRetries)),
          },
          answer.record,
        ),
      );
      return answer.send(payment);
    },
  );

  app.get<{ Querystring: Static<typeof PaymentListQuery> }>(
    "/v1/payments",
    {
      preHandler: requireMerchant("payments", "read"),
      schema: {
        tags: ["payments"],
        summary: "List payments",
        description: "Newest first. The QR code's svg is left out of list items (null); retrieve has it.",
        querystring: PaymentListQuery,
        response: { 200: listOf(paymentRef) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "payments", "read");
      const page = await payments.payments.list(
        scope,
        {
          status: request.query.status,
          method: request.query.method,
          created: paymentsCreatedRange(request),
          paymentLink: request.query.payment_link,
          store: request.query.store,
          till: request.query.till,
        },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map((p) => paymentJson(p, links, { svg: false })) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/payments/:id",
    {
      preHandler: requireMerchant("payments", "read"),
      schema: { tags: ["payments"], summary: "Retrieve a payment", params: IdParams, response: { 200: paymentRef } },
    },
    async (request) =>
      paymentJson(await payments.payments.get(merchantScope(request, "payments", "read"), request.params.id), links),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof PaymentUpdateBody> }>(
    "/v1/payments/:id",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Update a payment",
        description:
          "Changes the payment's metadata, in any status: given keys are set, keys given as an empty string are removed, the rest stay. allow_retries false ends the payer's chance to pay it again. A change sends payment.updated.",
        params: IdParams,
        body: PaymentUpdateBody,
        response: { 200: paymentRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, (p: Payment) => paymentJson(p, links));
      const payment = await payments.payments.update(
        merchantScope(request, "payments", "write"),
        request.params.id,
        request.body ?? {},
        answer.record,
      );
      return answer.send(payment);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CaptureBody> }>(
    "/v1/payments/:id/capture",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Capture a held payment",
        description:
          "For capture_method manual, in status requires_capture, before capture_before: takes all or part of the hold; the rest returns to the payer.",
        params: IdParams,
        body: CaptureBody,
        response: { 200: paymentRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payments", "write");
      const answer = answerWithEffect(request, reply, 200, (p: Payment) => paymentJson(p, links));
      const payment = await payments.payments.capture(
        scope,
        request.params.id,
        { amountToCapture: request.body?.amount_to_capture },
        answer.record,
      );
      return answer.send(payment);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CancelBody> }>(
    "/v1/payments/:id/cancel",
    {
      preHandler: requireMerchant("payments", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payments"],
        summary: "Cancel a payment",
        description:
          "An open payment (requires_payment, processing) or a held one (requires_capture: the hold is released).",
        params: IdParams,
        body: CancelBody,
        response: { 200: paymentRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payments", "write");
      const answer = answerWithEffect(request, reply, 200, (p: Payment) => paymentJson(p, links));
      const payment = await payments.payments.cancel(
        scope,
        request.params.id,
        { reason: request.body?.cancellation_reason },
        answer.record,
      );
      return answer.send(payment);
    },
  );

  app.post<{ Body: Static<typeof RefundBody> }>(
    "/v1/refunds",
    {
      preHandler: requireMerchant("refunds", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["refunds"],
        summary: "Refund a payment",
        description:
          "Fully or partly, several times, never more than was captured in all. The money goes back to the payer's wallet at once, with the fee's share back to you. A refund your available balance cannot cover is answered failed (merchant_balance_insufficient).",
        body: RefundBody,
        response: { 201: Type.Ref(RefundSchema) },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "refunds", "write");
      const answer = answerWithEffect(request, reply, 201, refundJson);
      return answer.send(await payments.refunds.create(scope, request.body, answer.record));
    },
  );

  app.get<{ Querystring: Static<typeof RefundListQuery> }>(
    "/v1/refunds",
    {
      preHandler: requireMerchant("refunds", "read"),
      schema: {
        tags: ["refunds"],
        summary: "List refunds",
        querystring: RefundListQuery,
        response: { 200: listOf(Type.Ref(RefundSchema)) },
      },
    },
    async (request) => {
      const page = await payments.refunds.list(
        merchantScope(request, "refunds", "read"),
        { payment: request.query.payment, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(refundJson) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof MetadataUpdateBody> }>(
    "/v1/refunds/:id",
    {
      preHandler: requireMerchant("refunds", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["refunds"],
        summary: "Update a refund",
        description:
          "Changes the refund's metadata: given keys are set, keys given as an empty string are removed, the rest stay. A change sends refund.updated.",
        params: IdParams,
        body: MetadataUpdateBody,
        response: { 200: Type.Ref(RefundSchema) },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, refundJson);
      const refund = await payments.refunds.update(
        merchantScope(request, "refunds", "write"),
        request.params.id,
        request.body ?? {},
        answer.record,
      );
      return answer.send(refund);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/refunds/:id",
    {
      preHandler: requireMerchant("refunds", "read"),
      schema: {
        tags: ["refunds"],
        summary: "Retrieve a refund",
        params: IdParams,
        response: { 200: Type.Ref(RefundSchema) },
      },
    },
    async (request) =>
      refundJson(await payments.refunds.get(merchantScope(request, "refunds", "read"), request.params.id)),
  );

  app.get(
    "/v1/balance",
    {
      preHandler: requireMerchant("balance", "read"),
      schema: {
        tags: ["balance"],
        summary: "Your balance",
        description: "Per currency: available, pending (authorized, not captured) and in transit (payouts).",
        response: { 200: Type.Ref(BalanceSchema) },
      },
    },
    async (request) => payments.balance(merchantScope(request, "balance", "read")),
  );

  app.post<{ Body: Static<typeof PayoutBody> }>(
    "/v1/payouts",
    {
      preHandler: requireMerchant("payouts", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payouts"],
        summary: "Pay out to your bank account",
        description:
          "From your available balance to the settlement bank account of your business verification (live mode: an approved one). Held at once; paid when the bank confirms, back in your balance if the bank fails it.",
        body: PayoutBody,
        response: { 201: Type.Ref(PayoutSchema) },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, payoutJson);
      const payout = await payments.payouts.create(
        merchantScope(request, "payouts", "write"),
        request.body,
        {},
        answer.record,
      );
      return answer.send(payout);
    },
  );

  app.get<{ Querystring: Static<typeof PayoutListQuery> }>(
    "/v1/payouts",
    {
      preHandler: requireMerchant("payouts", "read"),
      schema: {
        tags: ["payouts"],
        summary: "List payouts",
        querystring: PayoutListQuery,
        response: { 200: listOf(Type.Ref(PayoutSchema)) },
      },
    },
    async (request) => {
      const page = await payments.payouts.list(
        merchantScope(request, "payouts", "read"),
        { status: request.query.status, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map(payoutJson) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof MetadataUpdateBody> }>(
    "/v1/payouts/:id",
    {
      preHandler: requireMerchant("payouts", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payouts"],
        summary: "Update a payout",
        description:
          "Changes the payout's metadata: given keys are set, keys given as an empty string are removed, the rest stay. A change sends payout.updated.",
        params: IdParams,
        body: MetadataUpdateBody,
        response: { 200: Type.Ref(PayoutSchema) },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 200, payoutJson);
      const payout = await payments.payouts.update(
        merchantScope(request, "payouts", "write"),
        request.params.id,
        request.body ?? {},
        answer.record,
      );
      return answer.send(payout);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/payouts/:id",
    {
      preHandler: requireMerchant("payouts", "read"),
      schema: {
        tags: ["payouts"],
        summary: "Retrieve a payout",
        params: IdParams,
        response: { 200: Type.Ref(PayoutSchema) },
      },
    },
    async (request) =>
      payoutJson(await payments.payouts.get(merchantScope(request, "payouts", "read"), request.params.id)),
  );

  app.get(
    "/v1/payout_schedule",
    {
      preHandler: requireMerchant("payouts", "read"),
      schema: {
        tags: ["payouts"],
        summary: "Your payout schedule",
        response: { 200: Type.Ref(PayoutScheduleSchema) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "payouts", "read");
      return {
        object: "payout_schedule" as const,
        livemode: scope.livemode,
        interval: await payments.payouts.schedule(scope),
      };
    },
  );

  app.post<{ Body: Static<typeof ScheduleBody> }>(
    "/v1/payout_schedule",
    {
      preHandler: requireMerchant("payouts", "write"),
      config: { idempotent: true },
      schema: {
        tags: ["payouts"],
        summary: "Set your payout schedule",
        description: "daily: each currency's whole available balance is paid out once a UTC day.",
        body: ScheduleBody,
        response: { 200: Type.Ref(PayoutScheduleSchema) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "payouts", "write");
      const interval = await payments.payouts.setSchedule(scope, request.body.interval);
      return { object: "payout_schedule" as const, livemode: scope.livemode, interval };
    },
  );
};
