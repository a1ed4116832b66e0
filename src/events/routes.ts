import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import type { EventService } from "./service.js";

const EventSchema = Type.Object(
  {
    id: Type.String({ description: "evt_…" }),
    object: Type.Literal("event"),
    type: Type.String({ description: "What happened, e.g. payment.succeeded (docs/events.md lists them all)." }),
    created: Type.Integer({ description: "Seconds since the Unix epoch." }),
    livemode: Type.Boolean(),
    api_version: Type.String(),
    data: Type.Object(
      {
        object: Type.Record(Type.String(), Type.Unknown(), { description: "The object as it was after the change." }),
        previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
  },
  { $id: "Event", additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    type: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'A type, or a prefix like "payment.*".' }),
    ),
    ...createdFilterProperties,
    related_object: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "Only events about this object: its own (data.object.id) and those of objects that point at it " +
          "(data.object.payment, e.g. a payment's refunds). The timeline of one payment.",
      }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const RedeliverBody = Type.Object(
  { endpoint_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only to this endpoint." })) },
  { additionalProperties: false },
);
const Redelivered = Type.Object(
  {
    event: Type.String(),
    endpoints: Type.Array(Type.String(), { description: "The endpoints the event is queued for." }),
  },
  { additionalProperties: false },
);

export const eventRoutes: FastifyPluginAsync<{ events: EventService }> = async (app, { events }) => {
  app.addSchema(EventSchema);
  const tags = ["events"];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    "/events",
    {
      preHandler: requireMerchant("events", "read"),
      schema: {
        tags,
        summary: "List events",
        description: "Newest first.",
        querystring: ListQuery,
        response: { 200: listOf(Type.Ref(EventSchema)) },
      },
    },
    async (request) =>
      events.list(
        merchantScope(request, "events", "read"),
        {
          type: request.query.type,
          created: createdRange(request.query),
          relatedObject: request.query.related_object,
        },
        pageRequest(request.query),
      ),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/events/:id",
    {
      preHandler: requireMerchant("events", "read"),
      schema: { tags, summary: "Retrieve an event", params: IdParams, response: { 200: Type.Ref(EventSchema) } },
    },
    async (request) => events.get(merchantScope(request, "events", "read"), request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RedeliverBody> }>(
    "/events/:id/redeliver",
    {
      preHandler: requireMerchant("webhook_endpoints", "write"),
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Send an event again",
        description:
          "To one endpoint, or to every enabled endpoint subscribed to its type. Receivers see the same webhook-id.",
        params: IdParams,
        body: RedeliverBody,
        response: { 200: Redelivered },
      },
    },
    async (request) =>
      events.redeliver(
        merchantScope(request, "webhook_endpoints", "write"),
        request.params.id,
        request.body.endpoint_id,
      ),
  );
};
