import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { listOf, listQueryProperties, pageRequest } from "../../http/pagination.js";
import { apiKeyRollOverlapMsMax } from "../../limits.js";
import { apiKeyObject } from "../api-keys.js";
import type { ApiKey as ApiKeyModel } from "../model.js";
import { apiKeyTypes } from "../model.js";
import { consoleActor, requireConsole } from "../permissions.js";
import type { MerchantPlatformRouteDeps } from "./deps.js";
import { unwrap } from "./http.js";
import { ApiKey, ApiKeyScopes, ApiKeyWithSecret, EmptyBody, IdParams, KeyName } from "./schemas.js";

/**
 * API keys in the console. Responses that carry a secret are never stored anywhere, so these routes do not take
 * Idempotency-Key (a stored replay would keep the secret in the database): a retried creation makes a second key,
 * which shows in the list and can be revoked. Live keys need the go-live checklist (GET /v1/console/go_live).
 */
const tags = ["console"];
const Closed = { additionalProperties: false } as const;

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{
  services: Pick<MerchantPlatformRouteDeps, "clock" | "merchants">;
}> = async (app, { services }) => {
  const keys = services.merchants.apiKeys;
  const now = () => services.clock.now();
  const withSecret = (key: ApiKeyModel, token: string) => ({
    ...apiKeyObject(key, now()),
    secret: key.type === "publishable" ? null : token,
  });

  app.get(
    "/v1/console/api_keys",
    {
      preHandler: requireConsole("api_keys.read"),
      schema: {
        tags,
        summary: "List API keys",
        description: "Newest first. Secrets are never shown again; prefix and last4 identify a key.",
        querystring: Type.Object(
          { ...listQueryProperties, livemode: Type.Optional(Type.Boolean({ description: "Only this mode." })) },
          Closed,
        ),
        response: { 200: listOf(ApiKey) },
      },
    },
    async (request) => {
      const page = await keys.list(
        consoleActor(request).merchantId,
        { livemode: request.query.livemode },
        pageRequest(request.query),
      );
      return { ...page, data: page.data.map((k) => apiKeyObject(k, now())) };
    },
  );

  app.post(
    "/v1/console/api_keys",
    {
      preHandler: requireConsole("api_keys.write"),
      schema: {
        tags,
        summary: "Create an API key",
        description:
          "type secret (sk_), restricted (rk_, with scopes) or publishable (pk_). livemode true needs KYB approved, " +
          "two-factor on for you, and the rest of the go-live checklist.",
        body: Type.Object(
          {
            type: Type.Union(apiKeyTypes.map((t) => Type.Literal(t))),
            livemode: Type.Optional(Type.Boolean({ default: false })),
            name: KeyName,
            scopes: Type.Optional(ApiKeyScopes),
          },
          Closed,
        ),
        response: { 201: ApiKeyWithSecret },
      },
    },
    async (request, reply) => {
      const created = unwrap(
        await keys.create(consoleActor(request), {
          type: request.body.type,
          livemode: request.body.livemode ?? false,
          name: request.body.name?.trim() || null,
          scopes: request.body.scopes,
        }),
      );
      reply.code(201);
      return withSecret(created.key, created.token);
    },
  );

  app.post(
    "/v1/console/api_keys/:id/roll",
    {
      preHandler: requireConsole("api_keys.write"),
      schema: {
        tags,
        summary: "Roll an API key",
        description:
          "Makes a replacement (same type, mode, name and scopes) and lets the old key work for overlap_seconds " +
          `more (0 = stops now; at most ${apiKeyRollOverlapMsMax / 1000}).`,
        params: IdParams,
        body: Type.Object(
          {
            overlap_seconds: Type.Optional(
              Type.Integer({ minimum: 0, maximum: apiKeyRollOverlapMsMax / 1000, default: 0 }),
            ),
          },
          Closed,
        ),
        response: { 201: ApiKeyWithSecret },
      },
    },
    async (request, reply) => {
      const overlapMs = (request.body.overlap_seconds ?? 0) * 1000;
      const rolled = unwrap(await keys.roll(consoleActor(request), request.params.id, overlapMs));
      reply.code(201);
      return withSecret(rolled.key, rolled.token);
    },
  );

  app.post(
    "/v1/console/api_keys/:id/reveal",
    {
      preHandler: requireConsole("api_keys.write"),
      schema: {
        tags,
        summary: "Show the sign-up test secret key, once",
        description: "Only the secret test key made at sign-up can be shown, and only once (revealable: true).",
        params: IdParams,
        body: EmptyBody,
        response: { 200: ApiKeyWithSecret },
      },
    },
    async (request) => {
      const revealed = unwrap(await keys.reveal(consoleActor(request), request.params.id));
      return withSecret(revealed.key, revealed.token);
    },
  );

  app.delete(
    "/v1/console/api_keys/:id",
    {
      preHandler: requireConsole("api_keys.write"),
      schema: {
        tags,
        summary: "Revoke an API key",
        description: "At once. Requests with it then answer 401 api_key_revoked.",
        params: IdParams,
        response: { 200: ApiKey },
      },
    },
    async (request) => apiKeyObject(unwrap(await keys.revoke(consoleActor(request), request.params.id)), now()),
  );
};
