import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { AmountString, amountSchema } from "../http/amount.js";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { answerWithEffect } from "../http/idempotency.js";
import { MetadataInput, MetadataSchema } from "../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import {
  paymentDescriptionLengthMax,
  paymentLinkMaxUsesMax,
  paymentLinkQuantityMax,
  paymentReturnUrlLengthMax,
} from "../limits.js";
import { RetryAfterError } from "../payments/create.js";
import { checkoutUrl, type Payment } from "../payments/model.js";
import { CurrencyCode, IdParams } from "../payments/routes/schemas.js";
import { amountTypes, type PaymentLink, type PaymentLinkStats, paymentLinkJson } from "./model.js";
import type { PaymentLinkService, PaymentRequest } from "./service.js";

/**
 * The payment links API (docs/payment-links.md): the merchant's /v1/payment_links (secret keys, restricted keys with
 * the payment_links scope, console sessions), and the public /v1/pay/{slug} that the payer's page at /pay/{slug}
 * reads and uses. Another merchant's or mode's link is a 404, like one that does not exist.
 */
const Closed = { additionalProperties: false } as const;
const tags = ["payment_links"];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Amount = (description: string) => Object.assign({}, AmountString, { description });
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });

const PaymentLinkSchema = Type.Object(
  {
    id: Type.String({ description: "plk_…" }),
    object: Type.Literal("payment_link"),
    livemode: Type.Boolean(),
    active: Type.Boolean({ description: "false once deactivated: the page takes no more payments." }),
    url: Type.String({ description: "The link to share: <coffer>/pay/<slug> (the slug is random, not the id)." }),
    qr_svg: Nullable(Type.String({ description: "A QR code of url, as SVG (create and retrieve; null in lists)." })),
    currency: Type.String(),
    amount_type: literals(amountTypes, "fixed: unit_amount (times a quantity); customer_chooses: the payer types it."),
    unit_amount: Nullable(Amount("fixed: the price of one unit.")),
    quantity_max: Nullable(Type.Integer({ description: "fixed: the payer chooses 1 to this many; null: one." })),
    amount_min: Nullable(Amount("customer_chooses: the least the payer may pay.")),
    amount_max: Nullable(Amount("customer_chooses: the most the payer may pay.")),
    description: Nullable(Type.String()),
    metadata: MetadataSchema,
    return_url: Nullable(Type.String({ description: "Where the checkout page sends the payer once paid." })),
    max_uses: Nullable(Type.Integer({ description: "The most payments the link takes; null: no limit." })),
    expires_at: Nullable(Type.Integer({ description: "Unix seconds: no payment starts after this." })),
    uses: Type.Object(
      {
        succeeded: Type.Integer({ description: "Payments made from the link that succeeded." }),
        open: Type.Integer({ description: "Payments still waiting for their payer; they count against max_uses." }),
      },
      Closed,
    ),
    amount_received: Amount("What the link's succeeded payments took in."),
    amount_refunded: Amount("What was refunded of them."),
    deactivated_at: Nullable(Type.Integer({ description: "Unix seconds." })),
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "PaymentLink", ...Closed },
);

const PublicPaymentLinkSchema = Type.Object(
  {
    object: Type.Literal("public_payment_link"),
    livemode: Type.Boolean(),
    state: literals(["open", "inactive", "expired", "used_up"] as const, "open: it takes a payment now."),
    merchant: Type.Object({ name: Type.String() }, Closed),
    currency: Type.String(),
    amount_type: literals(amountTypes),
    unit_amount: Nullable(AmountString),
    unit_amount_display: Nullable(Type.String({ description: 'For people: "19.99".' })),
    quantity_max: Nullable(Type.Integer()),
    amount_min: Nullable(AmountString),
    amount_max: Nullable(AmountString),
    amount_min_display: Nullable(Type.String()),
    amount_max_display: Nullable(Type.String()),
    description: Nullable(Type.String()),
  },
  { $id: "PublicPaymentLink", ...Closed },
);

const PaymentLinkCheckoutSchema = Type.Object(
  {
    object: Type.Literal("payment_link_checkout"),
    livemode: Type.Boolean(),
    payment: Type.String({ description: "The checkout payment made for this use (pay_…)." }),
    checkout_url: Type.String({ description: "Where the payer pays it." }),
  },
  { $id: "PaymentLinkCheckout", ...Closed },
);

const PaymentRequestSchema = Type.Object(
  {
    object: Type.Literal("payment_request"),
    livemode: Type.Boolean(),
    payment_link: Type.String(),
    channel: literals(["email", "sms"] as const),
    to: Type.String(),
    message: Nullable(Type.String({ description: "The queued message (msg_…)." })),
    created: Type.Integer(),
  },
  { $id: "PaymentRequest", ...Closed },
);

const description = Type.String({ maxLength: paymentDescriptionLengthMax });
const returnUrl = Type.String({ minLength: 1, maxLength: paymentReturnUrlLengthMax });
const maxUses = Type.Integer({ description: `1 to ${paymentLinkMaxUsesMax}.` });
const expiresAt = Type.Integer({ description: "Unix seconds, in the future." });

const CreateBody = Type.Object(
  {
    currency: CurrencyCode,
    amount_type: literals(amountTypes),
    unit_amount: Type.Optional(amountSchema({ description: "amount_type fixed: the price of one unit." })),
    quantity_max: Type.Optional(
      Type.Integer({ description: `fixed: let the payer choose 1 to this many (2 to ${paymentLinkQuantityMax}).` }),
    ),
    amount_min: Type.Optional(amountSchema({ description: "customer_chooses: the least the payer may pay." })),
    amount_max: Type.Optional(amountSchema({ description: "customer_chooses: the most the payer may pay." })),
    description: Type.Optional(description),
    return_url: Type.Optional(returnUrl),
    max_uses: Type.Optional(maxUses),
    expires_at: Type.Optional(expiresAt),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
const UpdateBody = Type.Object(
  {
    description: Type.Optional(Nullable(description)),
    return_url: Type.Optional(Nullable(returnUrl)),
    max_uses: Type.Optional(Nullable(maxUses)),
    expires_at: Type.Optional(Nullable(expiresAt)),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
// Every field optional in the schema: a link id is looked up before the body is judged, so another tenant's id is a
// 404 whatever the body says.
const SendBody = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    phone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: "International form: +8613800138000." }),
    ),
    locale: Type.Optional(literals(["en", "zh-CN"] as const, "The message's language (default en).")),
  },
  Closed,
);
const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    active: Type.Optional(Type.Boolean({ description: "Only active (or inactive) links." })),
  },
  Closed,
);
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 64 }) }, Closed);
const UseBody = Type.Object(
  {
    amount: Type.Optional(amountSchema({ description: "customer_chooses: the amount the payer chose." })),
    quantity: Type.Optional(Type.Integer({ description: "fixed with quantity_max: how many (default 1)." })),
  },
  Closed,
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

export const paymentLinkRoutes: FastifyPluginAsyncTypebox<{
  paymentLinks: PaymentLinkService;
  links: { base: string };
}> = async (app, { paymentLinks, links }) => {
  app.addSchema(PaymentLinkSchema);
  app.addSchema(PublicPaymentLinkSchema);
  app.addSchema(PaymentLinkCheckoutSchema);
  app.addSchema(PaymentRequestSchema);
  const linkRef = Type.Ref(PaymentLinkSchema);
  const json = (found: { link: PaymentLink; stats: PaymentLinkStats }) =>
    paymentLinkJson(found.link, found.stats, links);

  app.post(
    "/v1/payment_links",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("payment_links", "write"),
      schema: {
        tags,
        summary: "Create a payment link",
        description:
          "A reusable link (and QR code) that makes an ordinary checkout payment each time a payer uses it: a fixed amount (optionally times a quantity the payer picks) or an amount the payer chooses within bounds.",
        body: CreateBody,
        response: { 201: linkRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payment_links", "write");
      const answer = answerWithEffect(request, reply, 201, json);
      return answer.respond(await paymentLinks.create(scope, request.body, answer.record));
    },
  );

  app.get(
    "/v1/payment_links",
    {
      preHandler: requireMerchant("payment_links", "read"),
      schema: {
        tags,
        summary: "List payment links",
        description: "Newest first, each with its uses and totals. qr_svg is left out of list items (null).",
        querystring: ListQuery,
        response: { 200: listOf(linkRef) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "payment_links", "read");
      const page = await paymentLinks.list(
        scope,
        { active: request.query.active, created: createdRange(request.query) },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map((l) => paymentLinkJson(l.link, l.stats, links, { svg: false })) };
    },
  );

  app.get(
    "/v1/payment_links/:id",
    {
      preHandler: requireMerchant("payment_links", "read"),
      schema: { tags, summary: "Retrieve a payment link", params: IdParams, response: { 200: linkRef } },
    },
    async (request) => json(await paymentLinks.get(merchantScope(request, "payment_links", "read"), request.params.id)),
  );

  app.post(
    "/v1/payment_links/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("payment_links", "write"),
      schema: {
        tags,
        summary: "Update a payment link",
        description:
          "description, return_url, max_uses and expires_at; null removes one. The amount and currency never change: make a new link for another price.",
        params: IdParams,
        body: UpdateBody,
        response: { 200: linkRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payment_links", "write");
      const answer = answerWithEffect(request, reply, 200, json);
      return answer.respond(await paymentLinks.update(scope, request.params.id, request.body ?? {}, answer.record));
    },
  );

  app.post(
    "/v1/payment_links/:id/deactivate",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("payment_links", "write"),
      schema: {
        tags,
        summary: "Deactivate a payment link",
        description:
          "For good: its page says it takes no more payments. Payments already started from it can still be paid.",
        params: IdParams,
        body: Type.Object({}, Closed),
        response: { 200: linkRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payment_links", "write");
      const answer = answerWithEffect(request, reply, 200, json);
      return answer.respond(await paymentLinks.deactivate(scope, request.params.id, answer.record));
    },
  );

  app.post(
    "/v1/payment_links/:id/send",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("payment_links", "write"),
      schema: {
        tags,
        summary: "Send a payment link to a customer",
        description:
          "A payment request by email or SMS (one of them) from coffer, in English or Chinese, holding the link. Limited per merchant and mode.",
        params: IdParams,
        body: SendBody,
        response: { 202: Type.Ref(PaymentRequestSchema) },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "payment_links", "write");
      const answer = answerWithEffect(request, reply, 202, (sent: PaymentRequest) => sent);
      const sent = await withRetryAfter(reply, () =>
        paymentLinks.send(scope, request.params.id, request.body ?? {}, answer.record),
      );
      return answer.respond(sent);
    },
  );

  app.get(
    "/v1/pay/:slug",
    {
      schema: {
        tags,
        summary: "The public view of a payment link",
        description:
          "No credentials: what the page at /pay/{slug} shows — merchant, amount or bounds, description, and whether it takes a payment now.",
        params: SlugParams,
        response: { 200: Type.Ref(PublicPaymentLinkSchema) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return paymentLinks.publicSummary(request.params.slug);
    },
  );

  app.post(
    "/v1/pay/:slug/payments",
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Start a payment from a payment link",
        operationId: "pay.createPayment",
        description:
          "No credentials: the payer's choice (amount, or quantity) makes a checkout payment; pay it at checkout_url. Refused when the link is deactivated, expired or used up. Limited per address and link.",
        params: SlugParams,
        body: UseBody,
        response: { 201: Type.Ref(PaymentLinkCheckoutSchema) },
      },
    },
    async (request, reply) => {
      const toJson = (payment: Payment) => ({
        object: "payment_link_checkout" as const,
        livemode: payment.livemode,
        payment: payment.id,
        checkout_url: checkoutUrl(links, payment)!,
      });
      const answer = answerWithEffect(request, reply, 201, toJson);
      const payment = await withRetryAfter(reply, () =>
        paymentLinks.use(request.params.slug, request.body ?? {}, request.ip, answer.record),
      );
      return answer.respond(payment);
    },
  );
};
