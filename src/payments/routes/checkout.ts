import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { ApiError } from "../../http/errors.js";
import type { PaymentServices } from "../service.js";
import { CheckoutSchema, IdParams } from "./schemas.js";

/**
 * The hosted checkout's API: GET /v1/checkout/{id} (the public summary, JSON) and GET /q/{token} (where a phone's
 * camera lands after scanning a payment's QR code: sent on to the page). The page itself, GET /checkout/{id}, is the
 * web app's checkout (web/src/checkout), served by src/http/web-app.ts; it reads this summary and pays through the
 * wallet API.
 */
const TokenParams = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 64 }) },
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
