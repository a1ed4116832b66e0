import { randomBytes } from "node:crypto";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../http/errors.js";
import { checkoutLocale, renderCheckoutPage } from "../checkout/page.js";
import type { PaymentServices } from "../service.js";
import { CheckoutSchema, IdParams } from "./schemas.js";

/**
 * The hosted checkout: GET /v1/checkout/{id} (the public summary, JSON), GET /checkout/{id} (the page) and
 * GET /q/{token} (where a phone's camera lands after scanning a payment's QR code: sent on to the page).
 */
const TokenParams = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const PageQuery = Type.Object(
  { locale: Type.Optional(Type.Union([Type.Literal("en"), Type.Literal("zh-CN")])) },
  { additionalProperties: false },
);

export const checkoutRoutes: FastifyPluginAsync<{ payments: PaymentServices }> = async (app, { payments }) => {
  app.addSchema(CheckoutSchema);

  app.get<{ Params: Static<typeof IdParams> }>(
    "/v1/checkout/:id",
    {
      schema: {
        tags: ["checkout"],
        summary: "The public summary of a checkout",
        description:
          "No credentials: what the hosted checkout page shows (merchant, amount, description, status, QR code). qr and checkout payments only.",
        params: IdParams,
        response: { 200: Type.Ref(CheckoutSchema) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return payments.checkout.summary(request.params.id);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
    "/checkout/:id",
    { schema: { hide: true, params: IdParams, querystring: PageQuery } },
    async (request, reply) => {
      const summary = await payments.checkout.summary(request.params.id);
      const locale = checkoutLocale(request.query.locale, request.headers["accept-language"]);
      const nonce = randomBytes(16).toString("base64");
      reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .header(
          "content-security-policy",
          `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
        );
      return renderCheckoutPage(summary, locale, nonce);
    },
  );

  app.get<{ Params: Static<typeof TokenParams> }>(
    "/q/:token",
    { schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      const id = await payments.checkout.paymentIdOfToken(request.params.token);
      if (!id) throw new ApiError("resource_not_found", "No such payment.", "token");
      return reply.redirect(`/checkout/${id}`, 302);
    },
  );
};
