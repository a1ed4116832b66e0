import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { alertRecipientsMax } from "../limits.js";
import { alertSettingsJson } from "./model.js";
import type { AlertService } from "./service.js";

/** GET|POST /v1/alert_settings: the merchant's email alerts in the caller's mode (docs/alerts.md). */
const Closed = { additionalProperties: false } as const;
const tags = ["alerts"];

const AlertSettingsSchema = Type.Object(
  {
    object: Type.Literal("alert_settings"),
    livemode: Type.Boolean(),
    success_rate: Type.Object(
      {
        enabled: Type.Boolean({ description: "Mail when the success rate falls below threshold. Off by default." }),
        threshold: Type.Number({ description: "From 0 (exclusive) to 1, at most four decimals; 0.8 is 80%." }),
        window_minutes: Type.Integer({ description: "The success rate is of payments created in this many minutes." }),
        min_attempts: Type.Integer({ description: "Fewer finished payments in the window are not judged." }),
      },
      Closed,
    ),
    payout_failed: Type.Object({ enabled: Type.Boolean({ description: "Mail when a payout fails. On." }) }, Closed),
    webhook_endpoint_disabled: Type.Object(
      { enabled: Type.Boolean({ description: "Mail when coffer disables a failing webhook endpoint. On." }) },
      Closed,
    ),
    recipients: Type.Array(Type.String(), {
      description: "Team members' emails that get the mail; empty: the owner and admins.",
    }),
    updated: Type.Union([Type.Integer(), Type.Null()], { description: "Unix seconds; null: never changed." }),
  },
  { $id: "AlertSettings", ...Closed },
);

const AlertSettingsBody = Type.Object(
  {
    success_rate: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          threshold: Type.Optional(Type.Number()),
          window_minutes: Type.Optional(Type.Number()),
          min_attempts: Type.Optional(Type.Number()),
        },
        Closed,
      ),
    ),
    payout_failed: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, Closed)),
    webhook_endpoint_disabled: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, Closed)),
    recipients: Type.Optional(Type.Array(Type.String({ maxLength: 254 }), { maxItems: alertRecipientsMax })),
  },
  Closed,
);

export const alertRoutes: FastifyPluginAsyncTypebox<{ alerts: AlertService }> = async (app, { alerts }) => {
  app.addSchema(AlertSettingsSchema);

  app.get(
    "/v1/alert_settings",
    {
      preHandler: requireMerchant("alert_settings", "read"),
      schema: {
        tags,
        summary: "Your email alerts",
        description:
          "Success rate below a threshold, payout failures and disabled webhook endpoints, in the caller's mode.",
        response: { 200: Type.Ref(AlertSettingsSchema) },
      },
    },
    async (request) => alertSettingsJson(await alerts.get(merchantScope(request, "alert_settings", "read"))),
  );

  app.post(
    "/v1/alert_settings",
    {
      preHandler: requireMerchant("alert_settings", "write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Change your email alerts",
        description:
          "Fields left out keep their value. Console users with the owner, admin or developer role may change them.",
        body: AlertSettingsBody,
        response: { 200: Type.Ref(AlertSettingsSchema) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "alert_settings", "write");
      return alertSettingsJson(await alerts.update(scope, request.body));
    },
  );
};
