import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { listOf } from "../../http/pagination.js";
import { passwordLengthMax, walletDisplayNameLengthMax } from "../../limits.js";
import { linkBaseUrl } from "../../merchants/links.js";
import { isLocale, localeFromAcceptLanguage } from "../../notifications/templates.js";
import { DeviceTokenField } from "../../security/sign-ins/schemas.js";
import { IdParams, SessionSchema, sessionMeta, Timestamp, WalletUserSchema, walletTag } from "../schemas.js";
import type { WalletServices } from "../service.js";
import { unixSeconds } from "../time.js";
import { walletUserJson } from "./model.js";
import { type WalletSession, walletSessionJson } from "./sessions.js";

const ContactFields = {
  email: Type.Optional(Type.String({ maxLength: 254, description: "Email address; send this or phone." })),
  phone: Type.Optional(
    Type.String({ maxLength: 32, description: "Phone number in E.164 form, e.g. +8613800138000; or send email." }),
  ),
};

const LoginResponse = Type.Object(
  {
    object: Type.Literal("wallet_login"),
    token: Type.String({ description: "The bearer token: send `Authorization: Bearer <token>`. Shown once." }),
    session: SessionSchema,
    wallet_user: WalletUserSchema,
    device_token: Type.String({
      description: "This device's token: keep it and send it as device_token with the next login from this device.",
    }),
  },
  { additionalProperties: false },
);

function loginJson(grant: {
  token: string;
  session: WalletSession;
  user: Parameters<typeof walletUserJson>[0];
  deviceToken: string;
}) {
  return {
    object: "wallet_login" as const,
    token: grant.token,
    session: walletSessionJson(grant.session, grant.session.id),
    wallet_user: walletUserJson(grant.user),
    device_token: grant.deviceToken,
  };
}

/** Sign-up, verification, login, the current user and their devices. */
export const walletUserRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  app.post(
    "/v1/wallet/signup",
    {
      schema: {
        tags: [walletTag],
        summary: "Sign up for a wallet",
        description:
          "Sends a six-digit code to the email address (mail) or phone number (SMS). Finish with POST /v1/wallet/verify. The answer is the same whether or not the address has a wallet already.",
        body: Type.Object(
          {
            ...ContactFields,
            password: Type.String({ maxLength: passwordLengthMax }),
            display_name: Type.Optional(Type.String({ minLength: 1, maxLength: walletDisplayNameLengthMax })),
            locale: Type.Optional(Type.Union([Type.Literal("en"), Type.Literal("zh-CN")])),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object(
            {
              id: Type.String({ description: "The verification to complete with the code." }),
              object: Type.Literal("wallet_verification"),
              channel: Type.Union([Type.Literal("email"), Type.Literal("sms")]),
              sent_to: Type.String({ description: "Where the code went, masked." }),
              expires_at: Timestamp,
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const locale = body.locale ?? localeFromAcceptLanguage(request.headers["accept-language"]);
      const verification = await wallets.users.signup({
        email: body.email,
        phone: body.phone,
        password: body.password,
        displayName: body.display_name?.trim() || undefined,
        locale: isLocale(locale) ? locale : "en",
      });
      reply.code(202);
      return {
        id: verification.id,
        object: "wallet_verification" as const,
        channel: verification.channel,
        sent_to: verification.sentTo,
        expires_at: unixSeconds(verification.expiresAt),
      };
    },
  );

  app.post(
    "/v1/wallet/verify",
    {
      schema: {
        tags: [walletTag],
        summary: "Verify a sign-up with its code",
        description: "Creates the wallet (identity tier 0) and logs it in.",
        body: Type.Object(
          {
            verification: Type.String({ minLength: 1, maxLength: 64 }),
            code: Type.String({ minLength: 1, maxLength: 12 }),
            device_token: Type.Optional(DeviceTokenField),
          },
          { additionalProperties: false },
        ),
        response: { 201: LoginResponse },
      },
    },
    async (request, reply) => {
      const grant = await wallets.users.verify(request.body.verification, request.body.code, {
        ...sessionMeta(request),
        deviceToken: request.body.device_token ?? null,
      });
      reply.code(201);
      return loginJson(grant);
    },
  );

  app.post(
    "/v1/wallet/login",
    {
      schema: {
        tags: [walletTag],
        summary: "Log in",
        description:
          "Five wrong passwords in a row lock the wallet for 15 minutes. A login from a device the wallet has not used before (no device_token, or an unknown one) sends its owner a new-device alert by email or SMS. After its owner reported a sign-in as not theirs, login answers 403 password_reset_required until the password is reset.",
        body: Type.Object(
          {
            ...ContactFields,
            password: Type.String({ maxLength: passwordLengthMax }),
            device_token: Type.Optional(DeviceTokenField),
          },
          { additionalProperties: false },
        ),
        response: { 200: LoginResponse },
      },
    },
    async (request) => {
      const { device_token: deviceToken, ...credentials } = request.body;
      const config = wallets.config.links;
      return loginJson(
        await wallets.users.login(credentials, {
          ...sessionMeta(request),
          deviceToken: deviceToken ?? null,
          linkBase: linkBaseUrl(config.publicUrl, request.headers.host, config.port),
        }),
      );
    },
  );

  app.post(
    "/v1/wallet/logout",
    {
      preHandler: requireAuth("wallet"),
      schema: { tags: [walletTag], summary: "Log out (end this session)", response: { 200: SessionSchema } },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const session = await wallets.sessions.revoke(auth.walletUserId, auth.sessionId);
      if (!session) throw new ApiError("authentication_required");
      return walletSessionJson(session, auth.sessionId);
    },
  );

  app.get(
    "/v1/wallet/me",
    {
      preHandler: requireAuth("wallet"),
      schema: { tags: [walletTag], summary: "The logged-in wallet user", response: { 200: WalletUserSchema } },
    },
    async (request) => walletUserJson(await wallets.users.get(authOf(request, "wallet").walletUserId)),
  );

  app.get(
    "/v1/wallet/sessions",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Devices: the sessions of this wallet",
        response: { 200: listOf(SessionSchema) },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const sessions = await wallets.sessions.list(auth.walletUserId);
      return {
        object: "list" as const,
        data: sessions.map((s) => walletSessionJson(s, auth.sessionId)),
        has_more: false,
      };
    },
  );

  app.delete(
    "/v1/wallet/sessions/:id",
    {
      preHandler: requireAuth("wallet"),
      schema: {
        tags: [walletTag],
        summary: "Revoke a session (log a device out)",
        params: IdParams,
        response: { 200: SessionSchema },
      },
    },
    async (request) => {
      const auth = authOf(request, "wallet");
      const session = await wallets.sessions.revoke(auth.walletUserId, request.params.id);
      if (!session) throw new ApiError("resource_not_found", "No such session.", "id");
      return walletSessionJson(session, auth.sessionId);
    },
  );
};
