import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { authOf } from "../../http/auth.js";
import { ApiError } from "../../http/errors.js";
import { ListQuery, listOf, pageRequest } from "../../http/pagination.js";
import { businessNameLengthMax, deviceCookieMaxAgeS } from "../../limits.js";
import { isLocale, localeFromAcceptLanguage } from "../../notifications/templates.js";
import { ReportBody, ReportResponse, SignInSchema, signInJson } from "../../security/sign-ins/schemas.js";
import { consoleCookieName, consoleCookiePath, csrfTokenOfRequest, type IssuedSession } from "../console-sessions.js";
import { isSecureRequest, readCookie, serializeCookie } from "../cookies.js";
import { merchantErrors } from "../errors.js";
import { consoleActor, requireConsole } from "../permissions.js";
import { findUserById, membershipsOf } from "../users.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { clearSessionCookie, linkBase, setSessionCookie, unwrap, userAgentOf } from "./http.js";
import { Accepted, Email, EmptyBody, LocaleSchema, Me, NameBody, Password, Token, TotpCode } from "./schemas.js";

/**
 * Developer accounts over HTTP: sign-up, email verification, sign-in and out, password reset, and GET /me.
 * Sign-in sets the session cookie and answers the session (with its CSRF token); see docs/merchants.md.
 */
const cookie = { name: consoleCookieName, path: consoleCookiePath };
/**
 * The browser's device token (src/security/sign-ins): HttpOnly, kept deviceCookieMaxAgeS, sent only to the console's
 * sign-in routes. A sign-in without it is a new device and alerts the account's owner.
 */
const deviceCookie = { name: "coffer_device", path: "/v1/console" };

/** The device token of the request's device cookie, for the sign-in it comes with. */
export function deviceTokenOf(request: FastifyRequest): string | null {
  return readCookie(request.headers.cookie, deviceCookie.name) ?? null;
}
const tags = ["console"];
const Closed = { additionalProperties: false } as const;

/** What opening and answering a console session reads; two-factor's passkey sign-in needs the same. */
export type ConsoleSessionDeps = Pick<MerchantPlatformRouteDeps, "clock" | "config" | "merchants" | "pool">;

export async function meObject(
  services: Pick<ConsoleSessionDeps, "merchants" | "pool">,
  request: FastifyRequest,
  csrfToken: string,
) {
  const auth = authOf(request, "console");
  const user = await findUserById(services.pool, auth.userId);
  if (!user) throw new ApiError("authentication_required");
  const memberships = await membershipsOf(services.pool, auth.userId);
  const liveModeAvailable = await services.merchants.sessions.liveModeAllowed(
    services.pool,
    auth.merchantId,
    auth.userId,
  );
  return meFrom(user, memberships, { ...auth, liveModeAvailable }, csrfToken);
}

function meFrom(
  user: NonNullable<Awaited<ReturnType<typeof findUserById>>>,
  memberships: Awaited<ReturnType<typeof membershipsOf>>,
  session: {
    merchantId: string;
    role: (typeof memberships)[number]["role"];
    livemode: boolean;
    liveModeAvailable: boolean;
  },
  csrfToken: string,
) {
  return {
    object: "console_session" as const,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      two_factor: { totp: user.totp_enabled_at !== null, passkeys: user.passkeys },
    },
    merchant: session.merchantId,
    business_name: memberships.find((m) => m.merchantId === session.merchantId)?.businessName ?? "",
    role: session.role,
    livemode: session.livemode,
    live_mode_available: session.liveModeAvailable,
    csrf_token: csrfToken,
    memberships: memberships.map((m) => ({ merchant: m.merchantId, business_name: m.businessName, role: m.role })),
  };
}

/** Sets the cookie of a new session and answers it like GET /me. */
export async function sessionResponse(
  services: ConsoleSessionDeps,
  request: FastifyRequest,
  reply: Parameters<typeof setSessionCookie>[0],
  opened: {
    session: IssuedSession;
    userId: string;
    membership: { merchantId: string; role: Parameters<typeof meFrom>[2]["role"] };
    deviceToken: string;
  },
) {
  setSessionCookie(reply, request, services.config, cookie, opened.session, services.clock.now());
  reply.header(
    "set-cookie",
    serializeCookie(deviceCookie.name, opened.deviceToken, {
      path: deviceCookie.path,
      maxAgeS: deviceCookieMaxAgeS,
      secure: isSecureRequest(request.protocol, services.config.publicUrl),
    }),
  );
  const user = await findUserById(services.pool, opened.userId);
  if (!user) throw new ApiError("internal_error");
  const memberships = await membershipsOf(services.pool, opened.userId);
  const merchantId = opened.membership.merchantId;
  const liveModeAvailable = await services.merchants.sessions.liveModeAllowed(services.pool, merchantId, user.id);
  // Every session starts in test mode; POST /v1/console/mode switches it.
  return meFrom(
    user,
    memberships,
    { merchantId, role: opened.membership.role, livemode: false, liveModeAvailable },
    opened.session.csrfToken,
  );
}

export const consoleAuthRoutes: FastifyPluginAsyncTypebox<{ services: ConsoleSessionDeps }> = async (
  app,
  { services },
) => {
  const m = services.merchants;

  app.post(
    "/v1/console/signup",
    {
      schema: {
        tags,
        summary: "Sign up a merchant",
        description:
          "Creates the merchant, its owner, a KYB draft and test keys, and mails a verification link. Answers the same " +
          "for an address that already has an account (that address gets a mail saying so).",
        body: Type.Object(
          {
            email: Email,
            password: Password,
            business_name: Type.String({ minLength: 1, maxLength: businessNameLengthMax }),
            name: NameBody,
            locale: Type.Optional(LocaleSchema),
          },
          Closed,
        ),
        response: { 202: Type.Object({ ...Accepted.properties, email: Type.String() }, Closed) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const locale = isLocale(body.locale) ? body.locale : localeFromAcceptLanguage(request.headers["accept-language"]);
      const result = unwrap(
        await m.accounts.signup({
          email: body.email,
          password: body.password,
          businessName: body.business_name,
          name: body.name ?? null,
          locale,
          ip: request.ip,
          linkBase: linkBase(request, services.config),
        }),
        reply,
      );
      reply.code(202);
      return { object: "signup", status: "verification_email_sent", email: result.email };
    },
  );

  app.post(
    "/v1/console/verify_email",
    {
      schema: {
        tags,
        summary: "Verify an email address",
        description: "Uses the token of the emailed link (once; expired links answer 410 link_expired).",
        body: Type.Object({ token: Token }, Closed),
        response: {
          200: Type.Object(
            { object: Type.Literal("email_verification"), email: Type.String(), verified: Type.Literal(true) },
            Closed,
          ),
        },
      },
    },
    async (request) => {
      const result = unwrap(await m.accounts.verifyEmail(request.body.token, request.ip));
      return { object: "email_verification" as const, email: result.email, verified: true as const };
    },
  );

  app.post(
    "/v1/console/verify_email/resend",
    {
      schema: {
        tags,
        summary: "Send the verification link again",
        description: "Answers 202 whether or not the address has an unverified account.",
        body: Type.Object({ email: Email }, Closed),
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      unwrap(await m.accounts.resendVerification(request.body.email, linkBase(request, services.config)));
      reply.code(202);
      return { object: "email_verification", status: "sent_if_unverified" };
    },
  );

  app.post(
    "/v1/console/login",
    {
      schema: {
        tags,
        summary: "Sign in to the console",
        description:
          "Sets the HttpOnly session cookie and answers the session with its csrf_token. With TOTP on, send " +
          "totp_code too. merchant picks which of the user's merchants to work on (default: the one they own).",
        body: Type.Object(
          {
            email: Email,
            password: Password,
            totp_code: Type.Optional(TotpCode),
            merchant: Type.Optional(Type.String({ maxLength: 64 })),
          },
          Closed,
        ),
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      const opened = unwrap(
        await m.login.login({
          email: request.body.email,
          password: request.body.password,
          totpCode: request.body.totp_code,
          merchantId: request.body.merchant,
          ip: request.ip,
          userAgent: userAgentOf(request),
          deviceToken: deviceTokenOf(request),
          linkBase: linkBase(request, services.config),
        }),
        reply,
      );
      return sessionResponse(services, request, reply, opened);
    },
  );

  app.post(
    "/v1/console/logout",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "Sign out",
        description: "Ends this session.",
        body: EmptyBody,
        response: { 200: Accepted },
      },
    },
    async (request, reply) => {
      const actor = consoleActor(request);
      await m.login.logout({ ...actor, ip: request.ip });
      clearSessionCookie(reply, request, services.config, cookie);
      return { object: "console_session", status: "logged_out" };
    },
  );

  app.post(
    "/v1/console/password_reset",
    {
      schema: {
        tags,
        summary: "Ask for a password reset link",
        description: "Answers 202 whether or not the address has an account.",
        body: Type.Object({ email: Email }, Closed),
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      unwrap(await m.accounts.requestPasswordReset(request.body.email, linkBase(request, services.config)));
      reply.code(202);
      return { object: "password_reset", status: "sent_if_account_exists" };
    },
  );

  app.post(
    "/v1/console/password_reset/confirm",
    {
      schema: {
        tags,
        summary: "Set a new password from a reset link",
        description: "Also verifies the address, unlocks the account and ends every session of the user.",
        body: Type.Object({ token: Token, password: Password }, Closed),
        response: { 200: Accepted },
      },
    },
    async (request) => {
      unwrap(await m.accounts.confirmPasswordReset(request.body.token, request.body.password, request.ip));
      return { object: "password_reset", status: "password_changed" };
    },
  );

  app.post(
    "/v1/console/mode",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "Switch the console between test and live mode",
        description:
          "The session's mode decides which objects the console's requests see: payments, refunds, payouts, " +
          "webhook endpoints, events and API keys of that mode only. Live mode needs the merchant's KYB approved and " +
          "your two-factor on (403 live_mode_unavailable otherwise); test mode is always allowed. Answers the session.",
        body: Type.Object({ livemode: Type.Boolean() }, Closed),
        response: { 200: Me },
      },
    },
    async (request) => {
      const actor = consoleActor(request);
      unwrap(await m.sessions.setMode({ ...actor, ip: actor.ip ?? null }, request.body.livemode));
      const me = await meObject(services, request, csrfTokenOfRequest(request) ?? "");
      return { ...me, livemode: request.body.livemode };
    },
  );

  app.post(
    "/v1/console/sign_in_reports",
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: "This wasn't me: report a sign-in from a new-device alert",
        description:
          "Uses the token of the alert's link, once: ends every session of the user and requires a new password (sign-in answers 403 password_reset_required until POST /v1/console/password_reset/confirm). A used or unknown link answers 400 link_invalid, an expired one 410 link_expired; neither changes anything.",
        body: ReportBody,
        response: { 200: ReportResponse },
      },
    },
    async (request) => {
      const outcome = await m.signIns.report("merchant_user", request.body.token, request.ip);
      if (!outcome.ok) throw merchantErrors.toApiError(outcome.code);
      return { object: "sign_in_report" as const, status: "secured" as const, sign_in: outcome.signInId };
    },
  );

  app.get(
    "/v1/console/sign_ins",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "Your recent sign-ins",
        description: "Every successful sign-in of the signed-in user over the last 90 days, newest first.",
        querystring: ListQuery,
        response: { 200: listOf(SignInSchema) },
      },
    },
    async (request) => {
      const actor = consoleActor(request);
      const page = await m.signIns.signIns({ type: "merchant_user", id: actor.userId }, pageRequest(request.query));
      return { ...page, data: page.data.map(signInJson) };
    },
  );

  app.get(
    "/v1/console/me",
    {
      preHandler: requireConsole("self.manage"),
      schema: { tags, summary: "The signed-in user and session", response: { 200: Me } },
    },
    async (request) => meObject(services, request, csrfTokenOfRequest(request) ?? ""),
  );
};
