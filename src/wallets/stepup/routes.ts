import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { authOf, requireAuth } from "../../http/auth.js";
import { listOf } from "../../http/pagination.js";
import { walletPasskeyNameLengthMax } from "../../limits.js";
import { totpEnrollmentBody } from "../../security/totp.js";
import {
  IdParams,
  PasskeySchema,
  WalletUserSchema,
  WebAuthnCredential,
  WebAuthnOptions,
  walletTag,
} from "../schemas.js";
import type { WalletServices } from "../service.js";
import { walletUserJson } from "../users/model.js";
import { passkeyJson } from "./passkeys.js";

const CodeBody = Type.Object(
  { code: Type.String({ pattern: "^[0-9]{6}$", description: "A current code of the authenticator app." }) },
  { additionalProperties: false },
);

/** Second factors for step-up: an authenticator app (TOTP) and passkeys. */
export const walletStepUpRoutes: FastifyPluginAsyncTypebox<{ wallets: WalletServices }> = async (app, { wallets }) => {
  const guard = { preHandler: requireAuth("wallet") };

  app.post(
    "/v1/wallet/totp",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "Start enrolling an authenticator app",
        description: "Returns the secret and its QR code; confirm with a first code at POST /v1/wallet/totp/confirm.",
        response: {
          200: Type.Object(
            {
              object: Type.Literal("totp_enrollment"),
              secret: Type.String(),
              otpauth_uri: Type.String(),
              qr_svg: Type.String(),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      const enrollment = await wallets.totp.begin(authOf(request, "wallet").walletUserId);
      return totpEnrollmentBody(enrollment);
    },
  );

  app.post(
    "/v1/wallet/totp/confirm",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "Confirm the authenticator app with a first code",
        body: CodeBody,
        response: { 200: WalletUserSchema },
      },
    },
    async (request) =>
      walletUserJson(await wallets.totp.confirm(authOf(request, "wallet").walletUserId, request.body.code, request.ip)),
  );

  app.post(
    "/v1/wallet/totp/disable",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "Turn the authenticator app off (needs a current code)",
        body: CodeBody,
        response: { 200: WalletUserSchema },
      },
    },
    async (request) =>
      walletUserJson(await wallets.totp.disable(authOf(request, "wallet").walletUserId, request.body.code, request.ip)),
  );

  app.post(
    "/v1/wallet/passkeys/options",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "Options to register a passkey",
        description: "Pass `options` to navigator.credentials.create(), then POST the result to /v1/wallet/passkeys.",
        response: { 200: WebAuthnOptions },
      },
    },
    async (request) => {
      const { challengeId, options } = await wallets.passkeys.registrationOptions(
        authOf(request, "wallet").walletUserId,
      );
      return { object: "passkey_registration_options", challenge_id: challengeId, options };
    },
  );

  app.post(
    "/v1/wallet/passkeys",
    {
      ...guard,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Register a passkey",
        body: Type.Object(
          {
            challenge_id: Type.String({ maxLength: 64 }),
            credential: WebAuthnCredential,
            name: Type.Optional(Type.String({ minLength: 1, maxLength: walletPasskeyNameLengthMax })),
          },
          { additionalProperties: false },
        ),
        response: { 201: PasskeySchema },
      },
    },
    async (request, reply) => {
      const passkey = await wallets.passkeys.register(
        authOf(request, "wallet").walletUserId,
        {
          challengeId: request.body.challenge_id,
          credential: request.body.credential as unknown as Parameters<
            typeof wallets.passkeys.register
          >[1]["credential"],
          name: request.body.name,
        },
        request.ip,
      );
      reply.code(201);
      return passkeyJson(passkey);
    },
  );

  app.get(
    "/v1/wallet/passkeys",
    {
      ...guard,
      schema: { tags: [walletTag], summary: "The wallet's passkeys", response: { 200: listOf(PasskeySchema) } },
    },
    async (request) => {
      const passkeys = await wallets.passkeys.list(authOf(request, "wallet").walletUserId);
      return { object: "list" as const, data: passkeys.map(passkeyJson), has_more: false };
    },
  );

  app.delete(
    "/v1/wallet/passkeys/:id",
    {
      ...guard,
      schema: { tags: [walletTag], summary: "Remove a passkey", params: IdParams, response: { 200: PasskeySchema } },
    },
    async (request) =>
      passkeyJson(await wallets.passkeys.remove(authOf(request, "wallet").walletUserId, request.params.id, request.ip)),
  );

  app.post(
    "/v1/wallet/step_up/passkey_options",
    {
      ...guard,
      schema: {
        tags: [walletTag],
        summary: "A passkey challenge for step-up",
        description:
          "Pass `options` to navigator.credentials.get(); send the result as step_up.passkey with the send or withdrawal.",
        response: { 200: WebAuthnOptions },
      },
    },
    async (request) => {
      const { challengeId, options } = await wallets.passkeys.stepUpOptions(authOf(request, "wallet").walletUserId);
      return { object: "passkey_step_up_options", challenge_id: challengeId, options };
    },
  );
};
