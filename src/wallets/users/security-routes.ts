import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { ListQuery, listOf, pageRequest } from "../../http/pagination.js";
import { passwordLengthMax } from "../../limits.js";
import { isLocale, localeFromAcceptLanguage } from "../../notifications/templates.js";
import {
  DeviceSchema,
  deviceJson,
  ReportBody,
  ReportResponse,
  SignInSchema,
  signInJson,
} from "../../security/sign-ins/schemas.js";
import { walletError } from "../errors.js";
import { IdParams, sessionMeta, Timestamp, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { unixSeconds } from "../time.js";

/**
 * The wallet's security centre (docs/security-centre.md): the devices a wallet was signed in from and its recent
 * sign-ins, signing a device or every other device out, the "this wasn't me" link of a new-device alert, and
 * password reset.
 */
const Closed = { additionalProperties: false } as const;

const SignOutResponse = Type.Object(
  {
    object: Type.Literal("sign_out"),
    sessions_ended: Type.Integer({ description: "How many sessions this ended." }),
  },
  Closed,
);

export const walletSecurityRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (
  app,
  { wallets },
) => {
  const subjectOf = (walletUserId: string) => ({ type: "wallet_user" as const, id: walletUserId });

  app.get(
    "/v1/wallet/devices",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Devices this wallet was signed in from",
        description:
          "Most recently signed in first (up to 50), with whether each still has an active session and which one is asking. Devices unused for 180 days are forgotten.",
        response: { 200: listOf(DeviceSchema) },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const devices = await wallets.signIns.devices(subjectOf(auth.walletUserId), auth.sessionId);
      return { object: "list" as const, data: devices.map(deviceJson), has_more: false };
    },
  );

  app.post(
    "/v1/wallet/devices/:id/sign_out",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Sign a device out",
        description:
          "Ends every active session opened on the device. Another wallet's device answers 404 like an unknown id.",
        params: IdParams,
        response: { 200: SignOutResponse },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      if (!(await wallets.signIns.ownsDevice(wallets.pool, subjectOf(auth.walletUserId), request.params.id))) {
        throw new ApiError("resource_not_found", "No such device.", "id");
      }
      const ended = await wallets.sessions.revokeDevice(auth.walletUserId, request.params.id);
      return { object: "sign_out" as const, sessions_ended: ended };
    },
  );

  app.post(
    "/v1/wallet/sessions/sign_out_others",
    {
      preHandler: requireAuth("wallet"),
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Sign every other device out",
        description: "Ends every session of this wallet except the one making the request.",
        response: { 200: SignOutResponse },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const ended = await wallets.sessions.revokeAllBut(auth.walletUserId, auth.sessionId);
      return { object: "sign_out" as const, sessions_ended: ended };
    },
  );

  app.get(
    "/v1/wallet/sign_ins",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Recent sign-ins",
        description: "Every successful sign-in of the last 90 days, newest first.",
        querystring: ListQuery,
        response: { 200: listOf(SignInSchema) },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const page = await wallets.signIns.signIns(subjectOf(auth.walletUserId), pageRequest(request.query));
      return { ...page, data: page.data.map(signInJson) };
    },
  );

  app.post(
    "/v1/wallet/sign_in_reports",
    {
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "This wasn't me: report a sign-in from a new-device alert",
        description:
          "Uses the token of the alert's link, once. Signs the wallet out on every device and freezes its payments (403 wallet_frozen) until its owner resets the password; login answers 403 password_reset_required until then. A used or unknown link answers 400 sign_in_report_invalid, an expired one 410 sign_in_report_expired; neither changes anything.",
        body: ReportBody,
        response: { 200: ReportResponse },
      },
    },
    async (request) => {
      const outcome = await wallets.signIns.report("wallet_user", request.body.token, request.ip);
      if (!outcome.ok) {
        throw walletError(outcome.code === "link_expired" ? "sign_in_report_expired" : "sign_in_report_invalid");
      }
      return { object: "sign_in_report" as const, status: "secured" as const, sign_in: outcome.signInId };
    },
  );

  app.post(
    "/v1/wallet/password_reset",
    {
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Ask for a password reset code",
        description:
          "Sends a six-digit code to the wallet's email address or phone. Answers the same whether or not the address has a wallet. Finish with POST /v1/wallet/password_reset/confirm.",
        body: Type.Object(
          {
            email: Type.Optional(Type.String({ maxLength: 254 })),
            phone: Type.Optional(Type.String({ maxLength: 32 })),
            locale: Type.Optional(Type.Union([Type.Literal("en"), Type.Literal("zh-CN")])),
          },
          Closed,
        ),
        response: {
          202: Type.Object(
            {
              id: Type.String({ description: "The reset to confirm with the code." }),
              object: Type.Literal("wallet_password_reset"),
              channel: Type.Union([Type.Literal("email"), Type.Literal("sms")]),
              sent_to: Type.String({ description: "Where the code went, masked." }),
              expires_at: Timestamp,
            },
            Closed,
          ),
        },
      },
    },
    async (request, reply) => {
      const locale = request.body.locale ?? localeFromAcceptLanguage(request.headers["accept-language"]);
      const reset = await wallets.passwordReset.request({
        email: request.body.email,
        phone: request.body.phone,
        locale: isLocale(locale) ? locale : "en",
      });
      reply.code(202);
      return {
        id: reset.id,
        object: "wallet_password_reset" as const,
        channel: reset.channel,
        sent_to: reset.sentTo,
        expires_at: unixSeconds(reset.expiresAt),
      };
    },
  );

  app.post(
    "/v1/wallet/password_reset/confirm",
    {
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Set a new password with the reset code",
        description:
          "Ends every session of the wallet, unlocks it, and lifts a freeze its owner asked for by reporting a sign-in (an operator's freeze stays). Log in again afterwards.",
        body: Type.Object(
          {
            reset: Type.String({ minLength: 1, maxLength: 64 }),
            code: Type.String({ minLength: 1, maxLength: 12 }),
            password: Type.String({ maxLength: passwordLengthMax }),
          },
          Closed,
        ),
        response: {
          200: Type.Object(
            { object: Type.Literal("wallet_password_reset"), status: Type.Literal("password_changed") },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      await wallets.passwordReset.confirm({ ...request.body, ip: sessionMeta(request).ip });
      return { object: "wallet_password_reset" as const, status: "password_changed" as const };
    },
  );
};
