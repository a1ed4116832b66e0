import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { listOf } from "../../http/pagination.js";
import {
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type RelyingParty,
  relyingPartyFor,
} from "../../security/webauthn.js";
import { merchantErrors } from "../errors.js";
import type { Passkey as PasskeyModel } from "../passkeys.js";
import { consoleActor, requireConsole } from "../permissions.js";
import { findUserById } from "../users.js";
import { type ConsoleSessionDeps, deviceTokenOf, sessionResponse } from "./console-auth.js";
import { linkBase, unwrap, userAgentOf } from "./http.js";
import { EmptyBody, IdParams, Me, Passkey, TwoFactorStatus, WebAuthnOptions, WebAuthnResponse } from "./schemas.js";
import { registerTotpRoutes } from "./totp-routes.js";

/**
 * Two-factor for console users: TOTP enrollment (begin, confirm with a first code, disable with a current code)
 * and passkeys (register while signed in; sign in with one instead of a password). Everyone manages their own.
 */
const tags = ["console"];
const Closed = { additionalProperties: false } as const;

function passkeyObject(p: PasskeyModel) {
  return {
    id: p.id,
    object: "passkey" as const,
    name: p.name,
    device_type: p.deviceType,
    backed_up: p.backedUp,
    created: Math.floor(p.createdAt.getTime() / 1000),
    last_used: p.lastUsedAt ? Math.floor(p.lastUsedAt.getTime() / 1000) : null,
  };
}

export const twoFactorRoutes: FastifyPluginAsyncTypebox<{ services: ConsoleSessionDeps }> = async (
  app,
  { services },
) => {
  const m = services.merchants;
  const relyingParty = (request: FastifyRequest): RelyingParty => {
    const rp = relyingPartyFor(services.config.publicUrl, request.headers.host);
    if (!rp) {
      throw merchantErrors.toApiError(
        "webauthn_verification_failed",
        "Passkeys need COFFER_PUBLIC_URL (or a localhost address) so coffer knows its own origin.",
      );
    }
    return rp;
  };
  const status = async (userId: string) => {
    const user = await findUserById(services.pool, userId);
    return { object: "two_factor" as const, totp: user?.totp_enabled_at != null, passkeys: user?.passkeys ?? 0 };
  };

  registerTotpRoutes(app, {
    path: "/v1/console/2fa/totp",
    tags,
    preHandler: requireConsole("self.manage"),
    totp: m.totp,
    account(request) {
      const actor = consoleActor(request);
      return {
        id: actor.userId,
        audit: {
          actorType: "merchant_user",
          actorId: actor.userId,
          merchantId: actor.merchantId,
          targetType: "merchant_user",
          targetId: actor.userId,
          ip: actor.ip,
        },
      };
    },
    label: async (userId) => (await findUserById(services.pool, userId))?.email ?? userId,
    status,
    descriptions: {
      begin: "Answers a new secret as text, otpauth URI and QR code; confirm it with a first code.",
      disable: "Needs a current code.",
    },
  });

  app.post(
    "/v1/console/webauthn/registration/options",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "Options to register a passkey",
        body: EmptyBody,
        response: { 200: WebAuthnOptions },
      },
    },
    async (request) => {
      const options = await m.passkeys.beginRegistration(relyingParty(request), consoleActor(request).userId);
      return options as unknown as Record<string, unknown>;
    },
  );

  app.post(
    "/v1/console/webauthn/registration/verify",
    {
      preHandler: requireConsole("self.manage"),
      schema: {
        tags,
        summary: "Register a passkey",
        body: Type.Object({ response: WebAuthnResponse, name: Type.Optional(Type.String({ maxLength: 100 })) }, Closed),
        response: { 201: Passkey },
      },
    },
    async (request, reply) => {
      const actor = consoleActor(request);
      const passkey = unwrap(
        await m.passkeys.finishRegistration(
          relyingParty(request),
          { userId: actor.userId, merchantId: actor.merchantId, ip: actor.ip ?? null },
          request.body.response as unknown as RegistrationResponseJSON,
          request.body.name ?? null,
        ),
      );
      reply.code(201);
      return passkeyObject(passkey);
    },
  );

  app.get(
    "/v1/console/webauthn/credentials",
    {
      preHandler: requireConsole("self.manage"),
      schema: { tags, summary: "Your passkeys", response: { 200: listOf(Passkey) } },
    },
    async (request) => {
      const passkeys = await m.passkeys.list(consoleActor(request).userId);
      return { object: "list" as const, data: passkeys.map(passkeyObject), has_more: false };
    },
  );

  app.delete(
    "/v1/console/webauthn/credentials/:id",
    {
      preHandler: requireConsole("self.manage"),
      schema: { tags, summary: "Remove one of your passkeys", params: IdParams, response: { 200: TwoFactorStatus } },
    },
    async (request) => {
      const actor = consoleActor(request);
      unwrap(
        await m.passkeys.remove(
          { userId: actor.userId, merchantId: actor.merchantId, ip: actor.ip ?? null },
          request.params.id,
        ),
      );
      return status(actor.userId);
    },
  );

  app.post(
    "/v1/console/webauthn/authentication/options",
    {
      schema: {
        tags,
        summary: "Options to sign in with a passkey",
        description: "No account is named: the browser offers the passkeys it holds for this site.",
        body: EmptyBody,
        response: { 200: WebAuthnOptions },
      },
    },
    async (request) =>
      (await m.passkeys.beginAuthentication(relyingParty(request))) as unknown as Record<string, unknown>,
  );

  app.post(
    "/v1/console/webauthn/authentication/verify",
    {
      schema: {
        tags,
        summary: "Sign in with a passkey",
        description: "Sets the session cookie, like POST /v1/console/login.",
        body: Type.Object(
          { response: WebAuthnResponse, merchant: Type.Optional(Type.String({ maxLength: 64 })) },
          Closed,
        ),
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      const opened = unwrap(
        await m.passkeys.finishAuthentication(
          relyingParty(request),
          request.body.response as unknown as AuthenticationResponseJSON,
          {
            merchantId: request.body.merchant,
            ip: request.ip,
            userAgent: userAgentOf(request),
            deviceToken: deviceTokenOf(request),
            linkBase: linkBase(request, services.config),
          },
        ),
      );
      return sessionResponse(services, request, reply, opened);
    },
  );
};
