import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import { authOf, merchantScope, requireAuth, requireMerchant } from "../http/auth.js";
import { createdFilterProperties, createdRange } from "../http/created-filter.js";
import { answerWithEffect } from "../http/idempotency.js";
import { listOf, listQueryProperties, pageRequest } from "../http/pagination.js";
import { unixSecondsSchema } from "../http/timestamps.js";
import { feedbackCommentLengthMax, feedbackTagsMax } from "../limits.js";
import { IdParams } from "../payments/routes/schemas.js";
import { walletTag } from "../wallets/schemas.js";
import { feedbackIntervals, feedbackSources, feedbackTags } from "./model.js";
import type { FeedbackRequestJson, FeedbackService } from "./service.js";

/**
 * Feedback after a payment (docs/feedback.md): the merchant's /v1/feedback (list, one, averages over time), the
 * payer's /v1/wallet/payments/{id}/feedback (a wallet or prepaid card session) and the feedback link's
 * /v1/feedback_requests/{token} (no credentials: the receipt's and the checkout page's link).
 */
const Closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const tags = ["feedback"];

const Rating = Type.Integer({ minimum: 1, maximum: 5, description: "1 (bad) to 5 (very good)." });
const Tags = Type.Array(literals(feedbackTags), {
  maxItems: feedbackTagsMax,
  uniqueItems: true,
  description: `Up to ${feedbackTagsMax} of the catalog, each once (docs/feedback.md).`,
});
const Comment = Nullable(Type.String({ maxLength: feedbackCommentLengthMax }));
const Source = literals(feedbackSources, "Where the payer gave it: the receipt's link, the checkout page, the wallet.");

const FeedbackSchema = Type.Object(
  {
    id: Type.String({ description: "fbk_…" }),
    object: Type.Literal("feedback"),
    livemode: Type.Boolean(),
    payment: Type.String({ description: "The payment rated (pay_…)." }),
    amount: Type.String({ description: "The payment's amount, in minor units." }),
    currency: Type.String(),
    description: Nullable(Type.String({ description: "The payment's description." })),
    rating: Rating,
    tags: Tags,
    comment: Comment,
    source: Source,
    created: Type.Integer({ description: "Unix seconds." }),
  },
  { $id: "Feedback", ...Closed },
);

const FeedbackRequestSchema = Type.Object(
  {
    object: Type.Literal("feedback_request"),
    livemode: Type.Boolean(),
    payment: Type.String(),
    merchant: Type.Object({ name: Type.String() }, Closed),
    amount: Type.String(),
    currency: Type.String(),
    amount_display: Type.String({ description: 'For people: "19.99".' }),
    description: Nullable(Type.String()),
    paid_at: Nullable(Type.Integer({ description: "Unix seconds." })),
    rateable: Type.Boolean({ description: "Whether feedback can be given now (none yet, succeeded, in the window)." }),
    rateable_until: Nullable(Type.Integer({ description: "Unix seconds: the window's end; null: cannot be rated." })),
    feedback: Nullable(
      Type.Object(
        {
          id: Type.String(),
          rating: Rating,
          tags: Tags,
          comment: Comment,
          source: Source,
          created: Type.Integer(),
        },
        Closed,
      ),
    ),
  },
  { $id: "FeedbackRequest", ...Closed },
);

const SummarySchema = Type.Object(
  {
    object: Type.Literal("feedback_summary"),
    livemode: Type.Boolean(),
    from: Type.Integer(),
    to: Type.Integer(),
    time_zone: Type.String(),
    interval: literals(feedbackIntervals),
    count: Type.Integer({ description: "Feedback given in the range." }),
    average_rating: Nullable(Type.Number({ description: "1 to 5, two decimals; null without feedback." })),
    ratings: Type.Array(Type.Object({ rating: Type.Integer(), count: Type.Integer() }, Closed), {
      description: "How many gave each rating, 5 to 1.",
    }),
    tags: Type.Array(Type.Object({ tag: literals(feedbackTags), count: Type.Integer() }, Closed), {
      description: "The tags given, most frequent first.",
    }),
    series: Type.Array(
      Type.Object(
        {
          start: Type.Integer({ description: "Unix seconds: the bucket's start (the range's for the first)." }),
          count: Type.Integer(),
          average_rating: Nullable(Type.Number()),
        },
        Closed,
      ),
      { description: "One bucket per interval of the time zone, zero-filled." },
    ),
  },
  { $id: "FeedbackSummary", ...Closed },
);

const GiveBody = Type.Object({ rating: Rating, tags: Type.Optional(Tags), comment: Type.Optional(Comment) }, Closed);
const LinkBody = Type.Object(
  {
    rating: Rating,
    tags: Type.Optional(Tags),
    comment: Type.Optional(Comment),
    source: Type.Optional(literals(["receipt", "checkout"] as const, "Which link it came from (default receipt).")),
  },
  Closed,
);
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }, Closed);
const ListQuery = Type.Object(
  {
    ...listQueryProperties,
    ...createdFilterProperties,
    rating: Type.Optional(Rating),
    payment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this payment's (pay_…)." })),
  },
  Closed,
);
const SummaryQuery = Type.Object(
  {
    from: Type.Optional(unixSecondsSchema("Start of the range; default `to` − 30 days.")),
    to: Type.Optional(unixSecondsSchema("End of the range, exclusive; default now.")),
    time_zone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "IANA name; default the merchant's time_zone." }),
    ),
    interval: Type.Optional(literals(feedbackIntervals, "The buckets of series (default day).")),
  },
  Closed,
);

export const feedbackRoutes: FastifyPluginAsyncTypebox<{ feedback: FeedbackService }> = async (app, { feedback }) => {
  app.addSchema(FeedbackSchema);
  app.addSchema(FeedbackRequestSchema);
  app.addSchema(SummarySchema);
  const requestRef = Type.Ref(FeedbackRequestSchema);
  const wallet = requireAuth("wallet");

  app.get(
    "/v1/feedback",
    {
      preHandler: requireMerchant("feedback", "read"),
      schema: {
        tags,
        summary: "List feedback",
        description: "What payers said about your payments, newest first, each with its payment's amount.",
        querystring: ListQuery,
        response: { 200: listOf(Type.Ref(FeedbackSchema)) },
      },
    },
    async (request) => {
      const scope = merchantScope(request, "feedback", "read");
      return feedback.list(
        scope,
        { rating: request.query.rating, payment: request.query.payment, created: createdRange(request.query) },
        pageRequest(request.query),
      );
    },
  );

  app.get(
    "/v1/feedback/summary",
    {
      preHandler: requireMerchant("feedback", "read"),
      schema: {
        tags,
        summary: "Feedback averages over time",
        description:
          "The range's count, average rating, ratings and tags, and one bucket per day, week or month of the time zone (the analytics endpoints' parameters).",
        querystring: SummaryQuery,
        response: { 200: Type.Ref(SummarySchema) },
      },
    },
    async (request) => feedback.summary(merchantScope(request, "feedback", "read"), request.query),
  );

  app.get(
    "/v1/feedback/:id",
    {
      preHandler: requireMerchant("feedback", "read"),
      schema: { tags, summary: "Retrieve feedback", params: IdParams, response: { 200: Type.Ref(FeedbackSchema) } },
    },
    async (request) => feedback.get(merchantScope(request, "feedback", "read"), request.params.id),
  );

  app.get(
    "/v1/wallet/payments/:id/feedback",
    {
      preHandler: wallet,
      schema: {
        tags: [walletTag],
        summary: "Your feedback on a payment",
        description: "Whether you can still rate this payment of yours, and what you said if you did.",
        params: IdParams,
        response: { 200: requestRef },
      },
    },
    async (request) => feedback.request({ walletUserId: authOf(request, "wallet").walletUserId }, request.params.id),
  );

  app.post(
    "/v1/wallet/payments/:id/feedback",
    {
      preHandler: wallet,
      config: { idempotent: true },
      schema: {
        tags: [walletTag],
        summary: "Rate a payment",
        description:
          "Once per payment, on a succeeded payment you paid, within 30 days: a rating of 1 to 5, optional tags and a comment. The merchant sees it.",
        params: IdParams,
        body: GiveBody,
        response: { 201: requestRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, (json: FeedbackRequestJson) => json);
      const given = await feedback.submit(
        { walletUserId: authOf(request, "wallet").walletUserId },
        request.params.id,
        request.body,
        "wallet",
        answer.record,
      );
      return answer.respond(given);
    },
  );

  app.get(
    "/v1/feedback_requests/:token",
    {
      schema: {
        tags,
        summary: "A feedback link's payment",
        description:
          "No credentials: what the payer's feedback link (in the receipt, on the checkout page after paying) shows — the payment, and its feedback if given.",
        params: TokenParams,
        response: { 200: requestRef },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return feedback.request({ token: request.params.token });
    },
  );

  app.post(
    "/v1/feedback_requests/:token",
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: "Rate a payment from its feedback link",
        operationId: "feedbackRequests.submit",
        description:
          "No credentials: the payer's rating through the link of the receipt or the checkout page, once per payment, within 30 days of paying.",
        params: TokenParams,
        body: LinkBody,
        response: { 201: requestRef },
      },
    },
    async (request, reply) => {
      const answer = answerWithEffect(request, reply, 201, (json: FeedbackRequestJson) => json);
      const given = await feedback.submit(
        { token: request.params.token },
        undefined,
        request.body,
        request.body.source ?? "receipt",
        answer.record,
      );
      return answer.respond(given);
    },
  );
};
