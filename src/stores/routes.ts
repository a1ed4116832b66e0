import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import { AmountString } from "../http/amount.js";
import { merchantScope, requireMerchant } from "../http/auth.js";
import { answerWithEffect } from "../http/idempotency.js";
import { MetadataInput, MetadataSchema } from "../http/metadata.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import { storeAddressLengthMax, storeNameLengthMax, tillNameLengthMax } from "../limits.js";
import { CurrencyCode, IdParams } from "../payments/routes/schemas.js";
import { type PosterLanguage, posterLanguages } from "./messages.js";
import { type Store, storeJson, type Till, tillJson } from "./model.js";
import { posterPdf, posterPng } from "./poster.js";
import type { StoreService } from "./service.js";

/**
 * The stores and tills API (docs/stores-and-tills.md): secret keys, restricted keys with the stores scope, console
 * sessions. Another merchant's or mode's store or till is a 404, like one that does not exist.
 */
const Closed = { additionalProperties: false } as const;
const tags = ["stores"];
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Amount = (description: string) => Object.assign({}, AmountString, { description });

const StoreSchema = Type.Object(
  {
    id: Type.String({ description: "sto_…" }),
    object: Type.Literal("store"),
    livemode: Type.Boolean(),
    name: Type.String(),
    address: Nullable(Type.String()),
    currency: Type.String({ description: "What its tills take; every payment at its tills is in it." }),
    metadata: MetadataSchema,
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "Store", ...Closed },
);

const TillSchema = Type.Object(
  {
    id: Type.String({ description: "til_…" }),
    object: Type.Literal("till"),
    livemode: Type.Boolean(),
    store: Type.String({ description: "The store it belongs to (sto_…)." }),
    name: Type.String(),
    active: Type.Boolean({ description: "false once deactivated: its QR code takes no more payments." }),
    metadata: MetadataSchema,
    qr: Type.Object(
      {
        payload: Type.String({
          description:
            "The till's static QR code: <coffer>/t/<token>. Scanned in the wallet, the payer types the amount.",
        }),
        svg: Nullable(Type.String({ description: "The QR code as SVG (create and retrieve; null in lists)." })),
      },
      Closed,
    ),
    deactivated_at: Nullable(Type.Integer({ description: "Unix seconds." })),
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "Till", ...Closed },
);

const figures = {
  count: Type.Integer({ description: "Payments paid that day." }),
  gross: Amount("What they took in (captured)."),
  refunds: Amount("Refunds paid back that day on the till's payments (of any day)."),
  net: Type.String({ pattern: "^-?(0|[1-9][0-9]*)$", description: "gross − refunds; negative on a day of refunds." }),
};

const TakingsSchema = Type.Object(
  {
    object: Type.Literal("store_takings"),
    store: Type.String(),
    livemode: Type.Boolean(),
    date: Type.String({ description: "The calendar day, YYYY-MM-DD, in time_zone." }),
    time_zone: Type.String({ description: "The merchant's time zone (console settings)." }),
    currency: Type.String(),
    tills: Type.Array(
      Type.Object({ till: Type.String(), name: Type.String(), active: Type.Boolean(), ...figures }, Closed),
    ),
    total: Type.Object(figures, Closed),
  },
  { $id: "StoreTakings", ...Closed },
);

const name = (max: number) => Type.String({ minLength: 1, maxLength: max });
const CreateStoreBody = Type.Object(
  {
    name: name(storeNameLengthMax),
    address: Type.Optional(name(storeAddressLengthMax)),
    currency: CurrencyCode,
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
const UpdateStoreBody = Type.Object(
  {
    name: Type.Optional(name(storeNameLengthMax)),
    address: Type.Optional(Nullable(name(storeAddressLengthMax))),
    metadata: Type.Optional(MetadataInput),
  },
  Closed,
);
// name optional in the schema: the store is looked up first, so another tenant's store is a 404 whatever the body.
const CreateTillBody = Type.Object(
  { name: Type.Optional(name(tillNameLengthMax)), metadata: Type.Optional(MetadataInput) },
  Closed,
);
const UpdateTillBody = Type.Object(
  { name: Type.Optional(name(tillNameLengthMax)), metadata: Type.Optional(MetadataInput) },
  Closed,
);
const ListQuery = Type.Object({ ...listQueryProperties }, Closed);
const TakingsQuery = Type.Object(
  {
    date: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 10,
        description: "YYYY-MM-DD in the merchant's time zone; default today.",
      }),
    ),
  },
  Closed,
);

const PosterQuery = Type.Object(
  {
    lang: Type.Optional(
      Type.Unsafe<PosterLanguage>({
        type: "string",
        enum: [...posterLanguages],
        description: "en or zh; default: zh when the request's Accept-Language starts with zh, else en.",
      }),
    ),
  },
  Closed,
);

/** The poster's language: asked for, else the browser's. */
function posterLanguage(asked: PosterLanguage | undefined, acceptLanguage: string | undefined): PosterLanguage {
  if (asked) return asked;
  return /^\s*zh\b/i.test(acceptLanguage ?? "") ? "zh" : "en";
}

export const storeRoutes: FastifyPluginAsyncTypebox<{ stores: StoreService; links: { base: string } }> = async (
  app,
  { stores, links },
) => {
  app.addSchema(StoreSchema);
  app.addSchema(TillSchema);
  app.addSchema(TakingsSchema);
  const storeRef = Type.Ref(StoreSchema);
  const tillRef = Type.Ref(TillSchema);
  const tillOut = (till: Till) => tillJson(till, links);

  app.post(
    "/v1/stores",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stores", "write"),
      schema: {
        tags,
        summary: "Create a store",
        description: "A shop of yours, with the currency its tills take. Add its tills next.",
        body: CreateStoreBody,
        response: { 201: storeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "stores", "write");
      const answer = answerWithEffect(request, reply, 201, (s: Store) => storeJson(s));
      return answer.respond(await stores.createStore(scope, request.body, answer.record));
    },
  );

  app.get(
    "/v1/stores",
    {
      preHandler: requireMerchant("stores", "read"),
      schema: {
        tags,
        summary: "List stores",
        description: "Newest first.",
        querystring: ListQuery,
        response: { 200: listOf(storeRef) },
      },
    },
    async (request) => {
      const page = await stores.listStores(merchantScope(request, "stores", "read"), pageRequest(request.query));
      return { ...page, data: page.data.map(storeJson) };
    },
  );

  app.get(
    "/v1/stores/:id",
    {
      preHandler: requireMerchant("stores", "read"),
      schema: { tags, summary: "Retrieve a store", params: IdParams, response: { 200: storeRef } },
    },
    async (request) => storeJson(await stores.getStore(merchantScope(request, "stores", "read"), request.params.id)),
  );

  app.post(
    "/v1/stores/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stores", "write"),
      schema: {
        tags,
        summary: "Update a store",
        description: "name and address (null removes it). The currency never changes.",
        params: IdParams,
        body: UpdateStoreBody,
        response: { 200: storeRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "stores", "write");
      const answer = answerWithEffect(request, reply, 200, (s: Store) => storeJson(s));
      return answer.respond(await stores.updateStore(scope, request.params.id, request.body ?? {}, answer.record));
    },
  );

  app.post(
    "/v1/stores/:id/tills",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stores", "write"),
      schema: {
        tags,
        summary: "Create a till",
        description:
          "A counter of the store, with its static QR code: a payer scans it in the wallet, types the amount and pays. name is required.",
        params: IdParams,
        body: CreateTillBody,
        response: { 201: tillRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "stores", "write");
      const answer = answerWithEffect(request, reply, 201, tillOut);
      return answer.respond(await stores.createTill(scope, request.params.id, request.body ?? {}, answer.record));
    },
  );

  app.get(
    "/v1/stores/:id/tills",
    {
      preHandler: requireMerchant("stores", "read"),
      schema: {
        tags,
        summary: "List a store's tills",
        description: "Oldest first. The QR code's svg is left out of list items (null).",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: listOf(tillRef) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "stores", "read");
      const page = await stores.listTills(scope, request.params.id, pageRequest(request.query));
      return { ...page, data: page.data.map((t) => tillJson(t, links, { svg: false })) };
    },
  );

  app.get(
    "/v1/stores/:id/takings",
    {
      preHandler: requireMerchant("stores", "read"),
      schema: {
        tags,
        summary: "A store's takings of a day, per till",
        description:
          "One calendar day in the merchant's time zone (today by default): per till, the payments paid that day, their gross, the refunds made that day, and net.",
        params: IdParams,
        querystring: TakingsQuery,
        response: { 200: Type.Ref(TakingsSchema) },
      },
    },
    async (request) => stores.takings(merchantScope(request, "stores", "read"), request.params.id, request.query.date),
  );

  app.get(
    "/v1/tills/:id",
    {
      preHandler: requireMerchant("stores", "read"),
      schema: { tags, summary: "Retrieve a till", params: IdParams, response: { 200: tillRef } },
    },
    async (request) => tillOut(await stores.getTill(merchantScope(request, "stores", "read"), request.params.id)),
  );

  // A phone camera opens the till's QR code as a page: the wallet app's scan page asks for the amount.
  app.get(
    "/t/:token",
    {
      schema: {
        hide: true,
        params: Type.Object({ token: Type.String({ pattern: "^[0-9A-Za-z]{22}$" }) }, Closed),
      },
    },
    async (request, reply) => reply.redirect(`/wallet/scan?till=${request.params.token}`, 302),
  );

  for (const format of ["png", "pdf"] as const) {
    const contentType = format === "png" ? "image/png" : "application/pdf";
    app.get(
      `/v1/tills/:id/poster.${format}`,
      {
        preHandler: requireMerchant("stores", "read"),
        schema: {
          tags,
          summary: `A till's poster as ${format.toUpperCase()}`,
          description:
            "The printable sign for the counter (A5): your business name, the store and till, the till's QR code and how to pay with coffer, in English or Chinese.",
          params: IdParams,
          querystring: PosterQuery,
          response: {
            200: {
              description: `The poster, ${contentType}.`,
              content: { [contentType]: { schema: Type.Unsafe<Buffer>({ type: "string", format: "binary" }) } },
            },
          },
        },
      },
      async (request, reply) => {
        const scope = merchantScope(request, "stores", "read");
        const language = posterLanguage(request.query.lang, request.headers["accept-language"]);
        const input = await stores.posterOf(scope, request.params.id, language);
        const file = format === "png" ? await posterPng(input) : await posterPdf(input);
        return reply
          .type(contentType)
          .header("cache-control", "private, no-cache")
          .header(
            "content-disposition",
            `attachment; filename="coffer-till-${request.params.id}-${language}.${format}"`,
          )
          .send(file);
      },
    );
  }

  app.post(
    "/v1/tills/:id",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stores", "write"),
      schema: {
        tags,
        summary: "Update a till",
        description: "Its name. The QR code never changes: printed posters keep working.",
        params: IdParams,
        body: UpdateTillBody,
        response: { 200: tillRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "stores", "write");
      const answer = answerWithEffect(request, reply, 200, tillOut);
      return answer.respond(await stores.updateTill(scope, request.params.id, request.body ?? {}, answer.record));
    },
  );

  app.post(
    "/v1/tills/:id/deactivate",
    {
      config: { idempotent: true },
      preHandler: requireMerchant("stores", "write"),
      schema: {
        tags,
        summary: "Deactivate a till",
        description: "For good: its QR code takes no more payments. Payments already taken there keep naming it.",
        params: IdParams,
        body: Type.Object({}, Closed),
        response: { 200: tillRef },
      },
    },
    async (request, reply) => {
      const scope = merchantScope(request, "stores", "write");
      const answer = answerWithEffect(request, reply, 200, tillOut);
      return answer.respond(await stores.deactivateTill(scope, request.params.id, answer.record));
    },
  );
};
