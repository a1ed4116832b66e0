import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { MetadataInput, MetadataSchema } from "../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import { apiVersionAtLeast, apiVersions, apiVersionUniformLists } from "../http/versioning.js";
import type { WebhookEndpointService } from "./endpoints.js";

const WebhookEndpointSchema = Type.Object(
  {
    id: Type.String({ description: "we_…" }),
    object: Type.Literal("webhook_endpoint"),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    metadata: MetadataSchema,
    enabled_events: Type.Array(Type.String()),
    status: Type.Union([Type.Literal("enabled"), Type.Literal("disabled")]),
    disabled_reason: Type.Union([Type.Literal("manual"), Type.Literal("gone"), Type.Literal("failing"), Type.Null()]),
    api_version: Type.String({ description: "The API version the endpoint's events are written in." }),
    livemode: Type.Boolean(),
    created: Type.Integer({ description: "Seconds since the Unix epoch." }),
  },
  { $id: "WebhookEndpoint", additionalProperties: false },
);

// One closed object, not an allOf of a closed object and the secret: a strict validator refuses such an allOf's
// every answer (each part forbids the other's fields).
const WithSecret = Type.Object(
  {
    ...WebhookEndpointSchema.properties,
    secret: Type.String({ description: "whsec_…: shown once. Verify every webhook's signature with it." }),
  },
  { $id: "WebhookEndpointWithSecret", additionalProperties: false },
);

const AttemptSchema = Type.Object(
  {
    attempt: Type.Integer(),
    attempted_at: Type.Integer(),
    status_code: Type.Union([Type.Integer(), Type.Null()]),
    latency_ms: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
    response_excerpt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("webhook_delivery"),
    event_id: Type.String(),
    event_type: Type.String(),
    endpoint_id: Type.String(),
    status: Type.Union(["pending", "delivering", "succeeded", "failed", "abandoned"].map((s) => Type.Literal(s))),
    attempts: Type.Array(AttemptSchema),
    next_attempt_at: Type.Union([Type.Integer(), Type.Null()]),
    created: Type.Integer(),
    delivered_at: Type.Union([Type.Integer(), Type.Null()]),
    livemode: Type.Boolean(),
  },
  { $id: "WebhookDelivery", additionalProperties: false },
);

const Url = Type.String({ minLength: 1, maxLength: 2048, description: "https:// in live mode." });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 100,
  description: 'Event types, prefixes like "payment.*", or "*" for all.',
});
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);
const ApiVersionField = Type.Union(
  apiVersions.map((version) => Type.Literal(version)),
  { description: "The API version to write the endpoint's events in; the request's version when not given." },
);

const CreateBody = Type.Object(
  {
    url: Url,
    enabled_events: Events,
    description: Type.Optional(Description),
    metadata: Type.Optional(MetadataInput),
    api_version: Type.Optional(ApiVersionField),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    url: Type.Optional(Url),
    enabled_events: Type.Optional(Events),
    description: Type.Optional(Description),
    disabled: Type.Optional(Type.Boolean({ description: "true disables the endpoint, false enables it again." })),
    metadata: Type.Optional(MetadataInput),
    api_version: Type.Optional(ApiVersionField),
  },
  { additionalProperties: false },
);
const RotateBody = Type.Object(
  {
    expires_in: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 604_800,
        description: "Seconds the old secret keeps signing too (default 86400).",
      }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const Deleted = Type.Object(
  { id: Type.String(), object: Type.Literal("webhook_endpoint"), deleted: Type.Literal(true) },
  { additionalProperties: false },
);
const ListQuery = Type.Object(listQueryProperties, { additionalProperties: false });
const EndpointListQuery = Type.Object(
  { ...listQueryProperties, ...createdFilterProperties },
  { additionalProperties: false },
);
const defaultRotationOverlapS = 86_400;

export const webhookEndpointRoutes: FastifyPluginAsync<{ endpoints: WebhookEndpointService }> = async (
  app,
  { endpoints },
) => {
  app.addSchema(WebhookEndpointSchema);
  app.addSchema(DeliverySchema);
  app.addSchema(WithSecret);
  const tags = ["webhooks"];

  app.post<{ Body: Static<typeof CreateBody> }>(
    "/webhook_endpoints",
    {
      preHandler: requireMerchant("webhook_endpoints", "write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Create a webhook endpoint",
        description:
          "Returns the signing secret once. Deliveries follow the Standard Webhooks specification. Answers 201 " +
          "from API version 2026-12-07, 200 in 2026-11-01.",
        body: CreateBody,
        response: { 201: Type.Ref(WithSecret), 200: Type.Ref(WithSecret) },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "webhook_endpoints", "write");
      const { endpoint, secret } = await endpoints.create(scope, {
        ...request.body,
        api_version: request.body.api_version ?? request.apiVersion,
      });
      reply.code(apiVersionAtLeast(request.apiVersion, apiVersionUniformLists) ? 201 : 200);
      return { ...endpoint, secret };
    },
  );

  app.get<{ Querystring: Static<typeof EndpointListQuery> }>(
    "/webhook_endpoints",
    {
      preHandler: requireMerchant("webhook_endpoints", "read"),
      schema: {
        tags,
        summary: "List webhook endpoints",
        querystring: EndpointListQuery,
        response: { 200: listOf(Type.Ref(WebhookEndpointSchema)) },
      },
    },
    async (request) =>
      endpoints.list(
        merchantScope(request, "webhook_endpoints", "read"),
        { created: createdRange(request.query) },
        pageRequest(request.query),
      ),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/webhook_endpoints/:id",
    {
      preHandler: requireMerchant("webhook_endpoints", "read"),
      schema: {
        tags,
        summary: "Retrieve a webhook endpoint",
        params: IdParams,
        response: { 200: Type.Ref(WebhookEndpointSchema) },
      },
    },
    async (request) => endpoints.get(merchantScope(request, "webhook_endpoints", "read"), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    "/webhook_endpoints/:id",
    {
      preHandler: requireMerchant("webhook_endpoints", "write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Update, disable or enable a webhook endpoint",
        params: IdParams,
        body: UpdateBody,
        response: { 200: Type.Ref(WebhookEndpointSchema) },
      },
    },
    async (request) =>
      endpoints.update(merchantScope(request, "webhook_endpoints", "write"), request.params.id, request.body),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/webhook_endpoints/:id",
    {
      preHandler: requireMerchant("webhook_endpoints", "write"),
      schema: { tags, summary: "Delete a webhook endpoint", params: IdParams, response: { 200: Deleted } },
    },
    async (request) => endpoints.remove(merchantScope(request, "webhook_endpoints", "write"), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateBody> }>(
    "/webhook_endpoints/:id/rotate_secret",
    {
      preHandler: requireMerchant("webhook_endpoints", "write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Rotate the signing secret",
        description:
          "Returns the new secret once. Until expires_in passes, webhooks carry signatures with both secrets.",
        params: IdParams,
        body: RotateBody,
        response: { 200: Type.Ref(WithSecret) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "webhook_endpoints", "write");
      const overlapS = request.body.expires_in ?? defaultRotationOverlapS;
      const { endpoint, secret } = await endpoints.rotateSecret(scope, request.params.id, overlapS * 1000);
      return { ...endpoint, secret };
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ListQuery> }>(
    "/webhook_endpoints/:id/deliveries",
    {
      preHandler: requireMerchant("webhook_endpoints", "read"),
      schema: {
        tags,
        summary: "List deliveries to an endpoint, with every attempt",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: listOf(Type.Ref(DeliverySchema)) },
      },
    },
    async (request) =>
      endpoints.listDeliveries(
        merchantScope(request, "webhook_endpoints", "read"),
        request.params.id,
        pageRequest(request.query),
      ),
  );
};
