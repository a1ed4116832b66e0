import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listLimitDefault, listLimitMax } from "../../limits.js";
import { merchantErrors } from "../errors.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { Nullable } from "./schemas.js";

/**
 * GET /v1/console/dev/mailbox: while SMTP_URL is unset, mail is not sent but kept, and this lists it so a newcomer
 * can click the verification link without a mail server. It exists only while COFFER_DEV_MAILBOX is on (the
 * default in development only) and shows all kept mail to every caller alike: the setting decides, never the
 * caller's address, which a proxy can make look local. Otherwise, and with SMTP_URL set, 404.
 */
const Closed = { additionalProperties: false } as const;

const DevMessage = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("message"),
    to: Type.String(),
    template: Type.String(),
    locale: Type.String(),
    subject: Nullable(Type.String()),
    text: Type.String(),
    html: Nullable(Type.String()),
    created: Type.Integer({ description: "Unix time, seconds." }),
  },
  Closed,
);

export const devMailboxRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "config" | "notifications">;
}> = async (app, { services }) => {
  app.get(
    "/v1/console/dev/mailbox",
    {
      schema: {
        tags: ["console"],
        summary: "The dev mailbox (only with COFFER_DEV_MAILBOX on and without SMTP_URL)",
        description: "Mail kept instead of sent, newest first, for a day.",
        querystring: Type.Object(
          {
            to: Type.Optional(Type.String({ maxLength: 320 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: listLimitMax, default: listLimitDefault })),
          },
          Closed,
        ),
        response: {
          200: Type.Object(
            { object: Type.Literal("list"), data: Type.Array(DevMessage), has_more: Type.Boolean() },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      if (!services.config.devMailbox || services.config.smtpUrl) {
        throw merchantErrors.toApiError("dev_mailbox_unavailable");
      }
      const to = request.query.to?.trim().toLowerCase();
      const limit = request.query.limit ?? listLimitDefault;
      const messages = await services.notifications.listDevMessages({ channel: "email", to, limit: limit + 1 });
      return {
        object: "list" as const,
        has_more: messages.length > limit,
        data: messages.slice(0, limit).map((message) => ({
          id: message.id,
          object: "message" as const,
          to: message.to,
          template: message.template,
          locale: message.locale,
          subject: message.subject,
          text: message.text,
          html: message.html,
          created: Math.floor(message.createdAt.getTime() / 1000),
        })),
      };
    },
  );
};
