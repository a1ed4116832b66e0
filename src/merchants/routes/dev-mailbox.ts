import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { listLimitDefault, listLimitMax } from "../../limits.js";
import type { Services } from "../../runtime/services.js";
import { merchantErrors } from "../errors.js";
import { findUserById } from "../users.js";
import { Nullable } from "./schemas.js";

/**
 * GET /v1/console/dev/mailbox: while SMTP_URL is unset, mail is not sent but kept, and this lists it so a newcomer
 * can click the verification link without a mail server. It shows every mail only to callers on this machine
 * (loopback); a signed-in console user elsewhere sees only mail to their own address; everyone else gets 404.
 * With SMTP_URL set it does not exist (404).
 */
const Closed = { additionalProperties: false } as const;
const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

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

export const devMailboxRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const recipientFilter = async (request: FastifyRequest, to: string | undefined): Promise<string | undefined> => {
    if (loopback.has(request.ip)) return to?.trim().toLowerCase();
    if (request.auth?.kind === "console") {
      const user = await findUserById(services.pool, request.auth.userId);
      if (user) return user.email;
    }
    throw merchantErrors.toApiError("dev_mailbox_unavailable");
  };

  app.get(
    "/v1/console/dev/mailbox",
    {
      schema: {
        tags: ["console"],
        summary: "The dev mailbox (only without SMTP_URL)",
        description: "Mail kept instead of sent, newest first. All of it for local callers; your own otherwise.",
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
      if (services.config.smtpUrl) throw merchantErrors.toApiError("dev_mailbox_unavailable");
      const to = await recipientFilter(request, request.query.to);
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
