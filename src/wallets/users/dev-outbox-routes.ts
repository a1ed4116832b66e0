import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ApiError } from "../../http/errors.js";
import { listLimitDefault, listLimitMax } from "../../limits.js";
import type { NotificationService } from "../../notifications/service.js";
import { Nullable, Timestamp, walletTag } from "../schemas.js";
import { unixSeconds } from "../time.js";

/**
 * GET /v1/wallet/dev/sms_outbox: while SMS_HTTP_URL is unset, SMS is not sent but kept, and this lists it so a
 * developer signing up with a phone number can read the code (mail goes to the dev mailbox,
 * GET /v1/console/dev/mailbox). It exists only while COFFER_DEV_MAILBOX is on (the default in development only),
 * for every caller alike: the setting decides, never the caller's address. Otherwise, 404.
 */

const DevSms = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("message"),
    to: Type.String(),
    template: Type.String(),
    locale: Type.String(),
    text: Type.String(),
    sent: Nullable(Timestamp),
    created: Timestamp,
  },
  { additionalProperties: false },
);

export const walletDevOutboxRoutes: FastifyPluginAsyncTypebox<{
  notifications: NotificationService;
  /** No SMS_HTTP_URL and COFFER_DEV_MAILBOX on. */
  open: boolean;
}> = async (app, options) => {
  app.get(
    "/v1/wallet/dev/sms_outbox",
    {
      schema: {
        tags: [walletTag],
        summary: "The dev SMS outbox (only with COFFER_DEV_MAILBOX on and without SMS_HTTP_URL)",
        querystring: Type.Object(
          {
            to: Type.Optional(Type.String({ maxLength: 32, description: "A phone number in E.164 form." })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: listLimitMax, default: listLimitDefault })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { object: Type.Literal("list"), data: Type.Array(DevSms), has_more: Type.Boolean() },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      if (!options.open) {
        throw new ApiError("route_not_found", `No endpoint answers ${request.method} /v1/wallet/dev/sms_outbox.`);
      }
      const limit = request.query.limit ?? listLimitDefault;
      const messages = await options.notifications.listDevMessages({
        channel: "sms",
        to: request.query.to?.replace(/[\s().-]/g, ""),
        limit: limit + 1,
      });
      return {
        object: "list" as const,
        has_more: messages.length > limit,
        data: messages.slice(0, limit).map((m) => ({
          id: m.id,
          object: "message" as const,
          to: m.to,
          template: m.template,
          locale: m.locale,
          text: m.text,
          sent: m.sentAt ? unixSeconds(m.sentAt) : null,
          created: unixSeconds(m.createdAt),
        })),
      };
    },
  );
};
