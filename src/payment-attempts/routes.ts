import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { paymentAttemptsMax } from "../limits.js";
import { failureCodes } from "../payments/failure-codes.js";
import { IdParams } from "../payments/routes/schemas.js";
import { paymentStatuses } from "../payments/state-machine.js";
import { paymentMethodsOfAttempts } from "./model.js";
import type { PaymentAttemptService } from "./service.js";

/** GET /v1/payments/{id}/attempts: how each attempt to pay a payment ended (docs/payments.md, Paying again). */
const Closed = { additionalProperties: false } as const;
const Nullable = <T extends import("@sinclair/typebox").TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });

export const PaymentAttemptSchema = Type.Object(
  {
    id: Type.String({ description: "pat_…" }),
    object: Type.Literal("payment_attempt"),
    livemode: Type.Boolean(),
    payment: Type.String({ description: "The payment (pay_…)." }),
    number: Type.Integer({ description: "1 for the first attempt, then one more per retry." }),
    status: literals(
      paymentStatuses,
      "How the attempt ended: succeeded, requires_capture (it authorized a hold), failed, expired, canceled; a payment's single open attempt has the payment's status.",
    ),
    payment_method: Nullable(
      literals(paymentMethodsOfAttempts, "How the payer paid or tried to: an account wallet or a prepaid card."),
    ),
    failure_code: Nullable(literals(Object.keys(failureCodes), "Why it failed (docs/payments.md).")),
    failure_message: Nullable(Type.String()),
    created: Type.Integer({
      description: "Unix seconds: when the attempt was made (the first: the payment's creation).",
    }),
  },
  { $id: "PaymentAttempt", ...Closed },
);

const AttemptList = Type.Object(
  {
    object: Type.Literal("list"),
    data: Type.Array(Type.Ref(PaymentAttemptSchema)),
    has_more: Type.Boolean({ description: `Always false: a payment has at most ${paymentAttemptsMax} attempts.` }),
  },
  Closed,
);

export const paymentAttemptRoutes: FastifyPluginAsyncTypebox<{ attempts: PaymentAttemptService }> = async (
  app,
  { attempts },
) => {
  app.addSchema(PaymentAttemptSchema);

  app.get(
    "/v1/payments/:id/attempts",
    {
      preHandler: requireMerchant("payments", "read"),
      schema: {
        tags: ["payments"],
        summary: "List a payment's attempts",
        description:
          "Newest first: one attempt until the payer pays a failed or expired payment again (allow_retries), then each retry with how it ended.",
        params: IdParams,
        response: { 200: AttemptList },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "payments", "read");
      return { object: "list" as const, data: await attempts.list(scope, request.params.id), has_more: false };
    },
  );
};
